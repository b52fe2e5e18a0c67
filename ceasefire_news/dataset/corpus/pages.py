"""Saved web pages to raw articles: decoding, main-text extraction and the page's metadata.

trafilatura takes out the main text (tables kept as text, comments left out) and the page's
metadata: title, canonical URL, site name, and a date only where the page's markup states
it. This is the costly step of reading HTML (tens of milliseconds a page), so it runs in the
worker that cleans the page, not in the reader.
"""

from __future__ import annotations

from ceasefire_news.dataset.corpus.decode import decode_page
from ceasefire_news.dataset.corpus.document import RawArticle, RawPage
from ceasefire_news.dataset.corpus.metadata import page_title
from ceasefire_news.schema.errors import RecordRejected


def extract_page(page: RawPage) -> RawArticle | RecordRejected:
    """The article in a saved page, or a ``no_article_text`` rejection.

    The page's own canonical URL wins over the address it was fetched from (``page.url``).
    """
    html = decode_page(page.data, page.http_charset).text
    import trafilatura  # heavy (lxml, justext): only HTML input needs it
    from trafilatura.utils import load_html

    tree = load_html(html)
    # The headings, before extraction prunes the tree: the headline is one of them.
    headings = [h.text_content() for h in tree.iter("h1")][:5] if tree is not None else []
    subheadings = [h.text_content() for h in tree.iter("h2")][:1] if tree is not None and not headings else []
    document = trafilatura.bare_extraction(
        tree if tree is not None else html,
        url=page.url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Only dates the page's markup states; htmldate's extensive search guesses from text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        return RecordRejected(
            page.where,
            "no_article_text",
            "no article text found in the HTML page; save the article page "
            "itself (not an index or a login page), or give the text as JSON Lines",
        )

    def meta(name: str) -> str | None:
        value = getattr(document, name, None)
        return (value.strip() or None) if isinstance(value, str) else None

    url = meta("url") or page.url
    return RawArticle(
        source_file=page.source_file,
        where=page.where,
        raw_text=text,
        given_title=page_title(meta("title"), headings, meta("sitename"), url, subheadings),
        given_url=url,
        given_date=meta("date"),
        given_outlet=meta("sitename"),
        kind="html",
        fetched_date=page.fetched_date,
    )
