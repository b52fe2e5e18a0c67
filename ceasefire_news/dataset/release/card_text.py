"""The fixed prose of the dataset card: name, summary, config descriptions, limitations, citation.

The card (:mod:`ceasefire_news.dataset.release.card`) and the Croissant file
(:mod:`ceasefire_news.dataset.release.croissant`) say the same things in the same words.
"""

from __future__ import annotations

PRETTY_NAME = "ceasefire-news: stance and PLOVER events in news on Syrian ceasefire diplomacy"
LICENSE_FILE = "LICENSE"
# The release's terms, stated once: the card's YAML and body, the LICENSE file and Croissant all
# take them from here, and `validate` checks that the card and Croissant still agree.
ANNOTATIONS_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
#: The Hub's fields: "other", as the article texts stay under their publishers' terms.
HUB_LICENSE = {
    "license": "other",
    "license_name": "cc-by-4.0-annotations-publisher-terms-texts",
    "license_link": LICENSE_FILE,
}
#: Croissant's ``license``: the same two terms, each with what it covers.
CROISSANT_LICENSE = [
    {
        "@type": "sc:CreativeWork",
        "name": "CC BY 4.0",
        "description": "The annotations: labels, spans, adjudication, agreement figures, card and metadata.",
        "url": ANNOTATIONS_LICENSE_URL,
    },
    {
        "@type": "sc:CreativeWork",
        "name": "Publishers' terms",
        "description": "The article texts (text, title, removed, quoted span texts): their publishers' copyright, "
        "for research under text and data mining exceptions; do not republish.",
        "url": LICENSE_FILE,
    },
]
LICENSE_STATEMENT = (
    f"Annotations (labels, spans, adjudication, agreement figures, this card and the Croissant metadata): CC BY 4.0 "
    f"({ANNOTATIONS_LICENSE_URL}). Article texts (`text`, `title`, `removed` and the span texts quoted from them): "
    f"the terms of their publishers, distributed for research under the text and data mining exceptions that apply "
    f"where you are; do not republish them. Full terms: `{LICENSE_FILE}`."
)
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

PERSONAL_INFORMATION = (
    "No annotator is named. Label Studio identifies annotators by e-mail, username or user id; the release "
    "replaces each human annotator with a pseudonym `annotator-<16 hex>`, an HMAC-SHA256 of the name under a key "
    "kept in the maintainers' workspace and never released, so an annotator keeps one pseudonym across releases "
    "and a guessed e-mail cannot be tested against it. Which pseudonym is whom stays with the maintainers. Machine "
    "annotators keep their names (`seed-annotations`, the pre-annotator `ceasefire-rules-v1`). Timestamps "
    "(`annotations_raw.created_at`, `updated_at`) keep the day only (midnight UTC), so they do not show when a "
    "person worked. `ceasefire-news validate` fails a copy whose annotator fields hold anything else.\n\n"
    "The article texts are published news: they name public figures, officials, armed groups and, in reports "
    "of attacks, victims, and they quote the sources the outlets chose, including press contacts. They are "
    "released as published, not anonymised; the annotations add political stance judgments about the "
    "articles' voice, never about persons."
)

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

#: The BibTeX entry of a release; its year is the release's latest annotation or publication day.
CITATION = """@misc{ceasefire_news,
  title        = {ceasefire-news: stance and PLOVER events in news on Syrian ceasefire diplomacy},
  author       = {{ceasefire-news contributors}},
  year         = {{YEAR}},
  note         = {Dataset release {VERSION}}
}"""
CREATOR = "ceasefire-news contributors"

# The prose of the Hub's card template that the data cannot say; the maintainers keep it here.
CURATED_BY = (
    "The ceasefire-news contributors, who collect the articles, maintain the annotation scheme and the "
    "`ceasefire-news` package, and adjudicate the annotations."
)
SOURCES = (
    "- **Repository:** the `ceasefire-news` Python package, which builds the corpus from the raw pages, runs the "
    "Label Studio annotation loop and writes, validates and publishes this release.\n"
    "- **Annotation scheme:** stance per target after SemEval-2016 Task 6; genre after SemEval-2023 Task 3; events "
    "after PLOVER 2.0, the ontology of the POLECAT event data.\n"
    "- **Guidelines:** `ceasefire_news/labeling/GUIDELINES.md` in the package, shown to annotators in Label Studio."
)
DIRECT_USE = (
    "- Training and evaluating document-level stance detection toward the parties of the Syrian ceasefire talks "
    "(config `stance`), genre classification (`articles.genre`) and event extraction with PLOVER types, modes, "
    "factuality and argument roles (`events`).\n"
    "- Studying how outlets frame the war and the ceasefire diplomacy, across outlets and over time.\n"
    "- Studying annotation itself: `annotations_raw` keeps every annotation as made, with its provenance, so "
    "agreement and adjudication can be recomputed."
)
OUT_OF_SCOPE = (
    "- Judging whether a claim, a report of an attack or a casualty figure is true: the labels describe how an "
    "article presents events, not what happened.\n"
    "- Profiling persons, outlets' staff or annotators; the stance labels concern the articles' own voice.\n"
    "- Republishing the article texts, which stay under their publishers' terms.\n"
    "- Training on `machine` labels as if a person had made them: filter on `provenance`."
)
CURATION_RATIONALE = (
    "Ceasefire diplomacy in the Syrian war (Aleppo 2016, Astana, Sochi, Idlib 2020) was reported by outlets of "
    "every party involved, in English, with sharply different framing. This dataset pairs that coverage with "
    "labels of the articles' stance toward each party and of the events they report, in a standard event "
    "ontology, so that framing can be compared across outlets and models of stance and events can be trained and "
    "tested on contested political news rather than on neutral wire text."
)
SOURCE_PRODUCERS = (
    "Journalists and editors of the outlets below, writing for their publishers, some of them state-affiliated. "
    "No demographic information about them is collected."
)
ANNOTATORS = (
    "People working in the project's Label Studio, trained on the guidelines, and machines whose labels are marked "
    "`machine`: the embedded seed annotations shipped with the package and the rule-based pre-annotator "
    "(`ceasefire-rules-v1`), whose suggestions a person accepts, changes or deletes. No demographic information "
    "about the annotators is collected or released; they are named by pseudonym only."
)
RECOMMENDATIONS = (
    "Train and evaluate on human labels (`provenance` `human` or `adjudicated`) and report results per outlet as "
    "well as overall; split by the given splits, which keep every story in one split. Read a model's stance "
    "output as a statement about an article's framing, never about a person or a party's conduct. Check the "
    "agreement figures before trusting a label type, and quote the texts only as their publishers' terms allow."
)
GLOSSARY = (
    "- **Story:** articles that are near-duplicates or syndicated copies of one another; splits keep a story "
    "together.\n"
    "- **Provenance:** who made a label: `human` (one annotator or unanimity), `adjudicated` (a vote among "
    "annotators), `machine` (no person).\n"
    "- **PLOVER:** the Political Language Ontology for Verifiable Event Records, the event types of POLECAT.\n"
    "- **Pseudonym:** `annotator-<16 hex>`, the released name of a human annotator."
)
CONTACT = (
    "The maintainers of the `ceasefire-news` package, through its issue tracker. To ask for an article to be "
    "removed, give its `article_id`; it leaves the next release."
)


PLOTS = {
    "stance": "images/stance.png",
    "events": "images/event_types.png",
    "article_labels": "images/genre_factuality.png",
}
