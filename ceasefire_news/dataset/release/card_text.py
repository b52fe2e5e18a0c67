"""The fixed prose of the dataset card: name, summary, config descriptions, limitations, citation.

The card (:mod:`ceasefire_news.dataset.release.card`) and the Croissant file
(:mod:`ceasefire_news.dataset.release.croissant`) say the same things in the same words.
"""

from __future__ import annotations

PRETTY_NAME = "ceasefire-news: stance and PLOVER events in news on Syrian ceasefire diplomacy"
LICENSE_FILE = "LICENSE"
LICENSE_TEXT = """ceasefire-news: terms of use

Annotations (stance, genre, events, arguments, quality flags, adjudication, agreement
figures, the dataset card and the Croissant metadata): Creative Commons Attribution 4.0
International (CC BY 4.0), https://creativecommons.org/licenses/by/4.0/

Article texts (the `text`, `title` and `removed` columns of the `articles` config and the
span texts quoted from them): the copyright of their publishers. They are distributed for
research on media framing under the exceptions for text and data mining that apply in
your jurisdiction. Do not republish them; cite the outlet when quoting.
"""

SUMMARY = (
    "News coverage of ceasefire diplomacy in the Syrian war (Russia, Turkey, the Syrian government and the "
    "armed opposition; Aleppo 2016, Idlib 2020 and the talks between), annotated with document-level stance per "
    "target (SemEval-2016 Task 6 style), genre (SemEval-2023 Task 3) and PLOVER 2.0 events with their "
    "arguments, the ontology of the POLECAT event data."
)

CONFIG_DESCRIPTIONS = {
    "articles": "one row per article: the clean text, metadata, what cleaning removed, story, split, and the "
    "adjudicated genre and quality flags",
    "stance": "one row per article and target: the gold stance label, evidence spans, every annotator's vote, "
    "provenance",
    "events": "one row per event: trigger span, PLOVER type, mode, factuality, arguments (role, entity type, "
    "span), provenance",
    "annotations_raw": "every annotation as made: Label Studio ids, annotator, timestamps, lead time, cancelled "
    "and ground-truth flags, the result as JSON, accepted / partial / quarantined",
}

LIMITATIONS = (
    "**Outlet bias.** The articles come from a handful of outlets with strong editorial lines (state-affiliated "
    'Iranian and Turkish media, pan-Arab and Western outlets). Their wording ("Takfiri terrorists", "Syrian '
    'dictator", "liberated") is the object of the stance annotation, not a neutral description; the '
    "distribution of stances reflects which outlets were collected, not public opinion.",
    "**Licensing of news text.** The article texts remain the copyright of their publishers. They are "
    "distributed for research on media framing under the exceptions for text and data mining that apply where "
    "you are; the annotations are released under CC BY 4.0. Do not republish the texts.",
    "**Scraped text.** The raw pages were scraped with noise; cleaning removes boilerplate with named, versioned "
    "rules and records every removal (`removed`), but some texts lost numbers, spaces or apostrophes in the "
    "source (`quality_flags`) and annotators flag damaged or foreign text (`annotation_flags`).",
    "**Machine labels.** Labels no human made are marked `machine` in `provenance` (stance, events, "
    "`genre_provenance`, and `annotations_raw`). Filter on provenance to train or evaluate on human labels only.",
    "**Size.** Agreement figures rest on the items counted beside them; with few items they are uncertain.",
)

CITATION = """@misc{ceasefire_news,
  title        = {ceasefire-news: stance and PLOVER events in news on Syrian ceasefire diplomacy},
  author       = {{ceasefire-news contributors}},
  year         = {2025},
  note         = {Dataset release {VERSION}}
}"""

PLOTS = {
    "stance": "images/stance.png",
    "events": "images/event_types.png",
    "article_labels": "images/genre_factuality.png",
}
