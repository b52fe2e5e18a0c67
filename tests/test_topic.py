"""The topic filter's query and its cheap reading of a page's main text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasefire_news.dataset.corpus.topic import default_topic, load_topic, main_text, parse_topic
from ceasefire_news.schema.errors import UsageError

CHROME = (
    "<header><a href='/'>The Daily</a><nav><ul><li><a href='/world/syria'>Syria</a></li>"
    "<li><a href='/world/idlib'>Idlib ceasefire live</a></li><li><a href='/aleppo'>Aleppo</a></li></ul></nav></header>"
    "<aside><h2>Most read</h2><p>Syria: truce talks in Astana resume</p><p>Damascus blames rebels</p></aside>"
    "<footer><p>Our Syria coverage, ceasefire maps and Idlib reports. Copyright.</p></footer>"
    "<script>var tags = ['Syria', 'ceasefire', 'Idlib', 'Aleppo'];</script>"
)


def html(title: str, paragraphs: list[str], *, chrome: str = CHROME) -> str:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body>{chrome}"
        f"<main><article><h1>{title}</h1>{body}</article></main></body></html>"
    )


SPORT = [
    "The home side scored twice in the second half to win the cup final on Saturday evening, "
    "ending a run of three defeats at the national stadium.",
    "Their coach praised the young striker, who joined the club last summer and has now scored "
    "eleven goals in the league this season.",
]
TALKS = [
    "Envoys of Russia and Turkey agreed on Thursday to extend the truce in the north-west, "
    "where shelling had resumed along the front line south of the city.",
    "The monitors will report to the guarantors before the next round of talks in Astana.",
]


def test_a_menu_sidebar_footer_and_script_that_name_the_topic_leave_a_page_off_topic() -> None:
    topic = default_topic()
    page = html("Cup final: home side wins", SPORT)
    assert topic.hits(page, enough=100) >= 10  # the page as a whole names the topic often
    assert not topic.on_topic_html(page)
    text = main_text(page)
    assert "striker" in text
    assert "Syria" not in text


def test_an_article_about_the_topic_is_kept_with_the_same_chrome() -> None:
    topic = default_topic()
    assert topic.on_topic_html(html("Envoys extend the Idlib ceasefire", TALKS))


def test_a_single_mention_is_not_enough_for_the_default_topic_and_two_are() -> None:
    topic = default_topic()
    assert topic.min_hits == 2
    once = html("Markets close higher", [SPORT[0], "Oil rose after reports from Syria."], chrome="")
    twice = html("Ceasefire holds", [SPORT[0], "Oil rose after reports from Syria."], chrome="")
    assert not topic.on_topic_html(once)
    assert topic.on_topic_html(twice)


def test_the_default_topic_reads_arabic_russian_and_turkish() -> None:
    topic = default_topic()
    assert topic.on_topic_text("اتفق الطرفان على وقف إطلاق النار في إدلب شمال غرب سوريا")
    assert topic.on_topic_text("Стороны договорились о перемирии в Идлибе на севере Сирии.")
    assert topic.on_topic_text("Taraflar Suriye'nin kuzeyindeki İdlib'de ateşkes konusunda anlaştı.")
    assert not topic.on_topic_text("Стороны договорились о поставках зерна и удобрений.")


def test_a_term_matches_at_the_start_of_a_word_in_any_case_with_any_ending() -> None:
    topic = parse_topic("Syria\n", "t.topic")
    assert topic.hits("Syrian troops; SYRIA's border", enough=10) == 2
    assert topic.hits("Assyria and the Assyrians", enough=10) == 0


def test_a_quoted_term_matches_the_whole_word_only() -> None:
    topic = default_topic()
    assert topic.hits("Şampiyonlar Ligi'nde Şampiyon belli oldu", enough=10) == 0
    assert topic.hits("Şam'da görüşmeler sürüyor", enough=10) == 1
    assert topic.hits("سباق حلبة الفورمولا", enough=10) == 0  # a race track, not Aleppo
    assert topic.hits("القتال في حلب ومحيط حلب", enough=10) == 2


def test_arabic_terms_match_after_a_proclitic() -> None:
    topic = default_topic()
    assert topic.hits("وحلب", enough=10) == 1
    assert topic.hits("والهدنة", enough=10) == 1
    assert topic.hits("بدمشق", enough=10) == 1


def test_the_topic_hash_names_the_query_not_its_order() -> None:
    first = parse_topic("min_hits = 2\nSyria\ntruce\n", "a.topic")
    again = parse_topic("# same terms\ntruce\nSyria\nSyria\nmin_hits = 2\n", "b.topic")
    fewer_hits = parse_topic("Syria\ntruce\n", "a.topic")
    whole = parse_topic('min_hits = 2\n"Syria"\ntruce\n', "a.topic")
    assert first.sha256 == again.sha256
    assert len({first.sha256, fewer_hits.sha256, whole.sha256}) == 3
    assert first.describe()["sha256"] == first.sha256
    assert first.describe()["min_hits"] == 2


def test_load_topic_default_none_and_a_file(tmp_path: Path) -> None:
    assert load_topic("none") is None
    default = load_topic(None)
    assert default is not None
    assert default.name == "ceasefire.topic"
    terms = tmp_path / "football.topic"
    terms.write_text("striker\ncup final\n", encoding="utf-8")
    mine = load_topic(str(terms))
    assert mine is not None
    assert (mine.name, mine.terms, mine.min_hits) == ("football.topic", ("striker", "cup final"), 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# nothing\n", "no terms"),
        ("min_hits = 0\nSyria\n", "min_hits"),
        ('"Syria\n', "not a term"),
        ('""\n', "not a term"),
    ],
)
def test_a_bad_topic_file_is_a_usage_error_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_topic(text, "bad.topic")


def test_a_missing_topic_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the topic file"):
        load_topic(str(tmp_path / "missing.topic"))


def test_a_page_without_paragraph_markup_is_read_whole_less_its_links() -> None:
    page = (
        "<html><body><div class='menu'><a href='/syria'>Syria</a> <a href='/idlib'>Idlib</a></div>"
        "<div class='story'>Talks on the truce resumed in Astana on Monday.</div></body></html>"
    )
    text = main_text(page)
    assert "Astana" in text
    assert "Idlib" not in text


def test_an_unclosed_paragraph_ends_at_the_next_block_not_at_a_later_closing_tag() -> None:
    related = (
        "<div class='related'><ul><li><a href='/s'>Syria truce</a></li>"
        "<li><a href='/i'>Idlib ceasefire</a></li></ul></div>"
    )
    page = (
        "<html><body>" + "".join(f"<p>{text}" for text in SPORT) + related + "<p>Tickets are on sale.</p></body></html>"
    )
    text = main_text(page)
    assert "striker" in text
    assert "Tickets are on sale." in text
    assert "Syria" not in text
    assert not default_topic().on_topic_html(page)


def test_the_title_is_not_counted_again_when_it_repeats_the_headline_with_the_site_name() -> None:
    page = (
        "<html><head><title>Markets close higher | Syria Times</title></head><body>"
        "<article><h1>Markets close higher</h1>"
        f"<p>{SPORT[0]}</p><p>{SPORT[1]}</p><p>Oil rose after reports from Syria.</p></article></body></html>"
    )
    text = main_text(page)
    assert "Markets close higher" in text
    assert "Syria Times" not in text
    assert not default_topic().on_topic_html(page)
    plain = page.replace("<h1>Markets close higher</h1>", "")
    assert "Syria Times" in main_text(plain)
