"""Fuzzing the JSON Lines reader through a whole build, each example in a fresh workspace.

Every generated line ends as an article (kept or a duplicate) or as one counted rejection;
no exception escapes; building the same file again changes nothing. A few hundred lines run
here; ``CEASEFIRE_FUZZ_EXAMPLES=400 CEASEFIRE_FUZZ_MIN_LINES=25`` is the benchmark-style run
of ten thousand lines and more (``CEASEFIRE_FUZZ_TALLY=FILE`` appends each example's count).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.schema.errors import UsageError

EXAMPLES = int(os.environ.get("CEASEFIRE_FUZZ_EXAMPLES", "25"))
#: Lines per generated file at least (the benchmark-style run sets 25).
MIN_LINES = int(os.environ.get("CEASEFIRE_FUZZ_MIN_LINES", "1"))
SENTENCES = [
    "Delegates met in Astana to discuss a ceasefire in Idlib province.",
    "Talks on a truce in Daraa resumed in Amman on Tuesday.",
    "The UN envoy said the ceasefire held in Eastern Ghouta.",
    "Shelling was reported near Aleppo despite the agreement.",
]
FIELDS = ["text", "title", "url", "date", "outlet", "extra"]
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), children, max_size=4),
    max_leaves=6,
)
good_records = st.fixed_dictionaries(
    {"text": st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4).map(" ".join)},
    optional={
        "title": st.text(max_size=20) | st.none(),
        "url": st.sampled_from(["https://example.org/a", "https://example.org/b", ""]) | st.none(),
        "date": st.sampled_from(["2020-03-05", "5 March 2020", "not a date", ""]),
        "outlet": st.text(max_size=10),
    },
)


def _deep(depth: int) -> str:
    return '{"text": "Talks went on.", "title": ' + "[" * depth + "]" * depth + "}"


lines = st.one_of(
    good_records.map(json.dumps),
    good_records.map(lambda record: json.dumps(record, ensure_ascii=False)),
    json_values.map(json.dumps),
    # A newline would make two lines of one: the count of lines is what the test checks.
    st.text(max_size=60).map(lambda text: text.replace("\n", " ")),
    st.binary(max_size=60).map(lambda data: data.replace(b"\n", b" ").decode("latin-1")),
    st.sampled_from(
        [
            _deep(100_000),
            _deep(1_100),
            _deep(70),
            '{"text": "Talks resumed.\\ud800"}',
            '{"text": "Talks resumed.", "title": "\\udfff"}',
            '{"text": "Talks resumed.\\u0000 in Geneva"}',
            '{"text": "   "}',
            "[1, 2, 3]",
            '{"text": "Talks resumed."',
            "\ufeff" + json.dumps({"text": SENTENCES[0]}),
        ]
    ),
)


def _check_file(lines_: list[str]) -> int:
    """Build the lines in a fresh workspace, check the accounting and the rebuild; the lines read."""
    with tempfile.TemporaryDirectory(prefix="jsonl-fuzz-") as name:
        root = Path(name)
        source = root / "fuzz.jsonl"
        data = b"".join(line.encode("utf-8", "surrogatepass") + b"\n" for line in lines_)
        source.write_bytes(data)
        workspace = Workspace(root / "ws")
        options = BuildOptions(workers=1)
        expected = sum(1 for line in lines_ if line.encode("utf-8", "surrogatepass").strip())
        if b"\x00" in data[:8192] or not expected:
            expected = 1  # the whole file is one rejection: binary, or nothing but whitespace
        refused = None
        try:
            report = build_corpus([source], workspace, progress=False, options=options)
        except UsageError as err:  # nothing usable at all: every line was rejected
            refused = str(err)
        if refused is not None:
            assert f"{expected} records read, {expected} rejected" in refused, refused
            assert workspace.corpus_versions() == []
            return expected
        assert report.read == expected
        assert report.kept + report.duplicates + report.rejected == report.read
        assert len(report.rejections) == report.rejected
        for rejection in report.rejections:
            assert rejection.where.startswith(f"{source}:") or rejection.where == str(source), rejection
            assert rejection.reason
            assert "\n" not in rejection.detail
        again = build_corpus([source], workspace, progress=False, options=options)
        assert again.unchanged
        assert again.version == report.version
        return expected


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines_=st.lists(lines, min_size=MIN_LINES, max_size=max(40, 2 * MIN_LINES)))
def test_every_line_ends_as_an_article_or_a_counted_rejection(lines_: list[str]) -> None:
    read = _check_file(lines_)
    tally = os.environ.get("CEASEFIRE_FUZZ_TALLY")
    if tally:  # the benchmark-style run reports how many lines it built
        with open(tally, "a", encoding="utf-8") as out:
            out.write(f"{len(lines_)} {read}\n")
