"""Commands of this area, registered on the main CLI app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ceasefire_news.cli.options import DEFAULT_WORKSPACE, WorkspaceOption
from ceasefire_news.dataset.corpus.build import BuildOptions, build_corpus
from ceasefire_news.dataset.corpus.chunks import MAX_ARTICLE_BYTES, WARN_ARTICLE_BYTES
from ceasefire_news.dataset.corpus.lock import workspace_lock
from ceasefire_news.dataset.corpus.options import Engine
from ceasefire_news.dataset.corpus.sources import plan_sources, remember
from ceasefire_news.dataset.corpus.topic import load_topic
from ceasefire_news.dataset.corpus.workspace import Workspace
from ceasefire_news.schema.errors import UsageError

SourceOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--source",
        "-s",
        help=(
            "Build from these sources only, replacing the workspace's sources: a seed-style "
            ".txt file, a .jsonl file (one article per line, with a 'text' field), a saved "
            ".html page, a web crawl as .warc or .warc.gz, or a folder of these. Repeat for "
            "several. Without --source the workspace's sources are built again (the embedded seeds at first)."
        ),
        show_default=False,
    ),
]
AddOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--add",
        "-a",
        metavar="PATH",
        help=("Add a file or folder of articles to the workspace's sources and build them all. Repeat for several."),
        show_default=False,
    ),
]
RemoveOption = Annotated[
    list[str] | None,
    typer.Option(
        "--remove",
        metavar="PATH_OR_NAME",
        help=(
            "Take a source out of the workspace's sources (by path, or by name such as "
            "my_articles or seeds); its articles are removed in the new version."
        ),
        show_default=False,
    ),
]
TopicOption = Annotated[
    str,
    typer.Option(
        "--topic",
        metavar="FILE|default|none",
        help=(
            "Which pages of a WARC crawl to keep: 'default' keeps pages about ceasefire diplomacy "
            "in the Syrian war (terms in English, Arabic, Russian and Turkish); FILE gives your "
            "own terms, one per line ('#' comments, 'min_hits = N' for the matches a page needs, "
            "default 1); 'none' keeps every page. A term matches at the start of a word, in any "
            "case, with any ending (in double quotes: the whole word only), in the page's title, "
            "headings and paragraphs, not its menus. Other sources "
            "(txt, JSON Lines, HTML files) are never filtered by topic."
        ),
    ),
]
LanguagesOption = Annotated[
    str | None,
    typer.Option(
        "--languages",
        metavar="CODES",
        help="Keep only articles in these languages, as comma-separated ISO 639-1 codes (en,ar,ru,tr). Default: all.",
        show_default=False,
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        metavar="local|ray",
        help=(
            "Where the build runs. 'local' (the default): worker processes on this machine, best "
            "up to a few hundred thousand articles. 'ray': tasks on a Ray cluster (install with "
            "pip install 'ceasefire-news[ray]'), for crawls that outgrow one machine; Ray's "
            "start-up costs some 15 seconds. Both write the same version, byte for byte."
        ),
    ),
]
RayAddressOption = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        metavar="HOST:PORT",
        help=(
            "With --engine ray: the running cluster to join (started with `ray start --head`). "
            "Sources and workspace must be on a path every node sees. Without it, Ray starts on "
            "this machine for the build."
        ),
        show_default=False,
    ),
]
VersionOption = Annotated[
    str | None,
    typer.Option(
        "--version",
        help=(
            "Corpus version to write, X.Y.Z, newer than the latest one. Default: 1.0.0 for "
            "the first build, then the latest version with its minor number bumped; when "
            "the content equals the latest version nothing is written."
        ),
        show_default=False,
    ),
]


def build(
    source: SourceOption = None,
    add: AddOption = None,
    remove: RemoveOption = None,
    version: VersionOption = None,
    topic: TopicOption = "default",
    languages: LanguagesOption = None,
    engine: EngineOption = "local",
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help=(
                "Reuse the result of every source file unchanged since the last build "
                "(WORKSPACE/cache/units/, keyed by the file's content and the reader's, rules' and "
                "filters' versions): adding files processes only the new ones."
            ),
        ),
    ] = True,
    ray_address: RayAddressOption = None,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar on stderr.")] = True,
    max_article_bytes: Annotated[
        int,
        typer.Option(
            "--max-article-bytes",
            min=1,
            metavar="BYTES",
            help=(
                "Reject an article with more bytes of text than this (an article above "
                f"{WARN_ARTICLE_BYTES:,} bytes is built with a warning)."
            ),
        ),
    ] = MAX_ARTICLE_BYTES,
) -> None:
    """Build a corpus version: read, clean, deduplicate and cluster raw articles into stories.

    Writes WORKSPACE/corpus/X.Y.Z/ (open it with datasets.load_from_disk) and its
    manifest.json: parent version, source digests, cleaning rule and schema versions, and
    the diff against the parent. A version once written is never overwritten.

    Records of a crawl that are not HTML pages, pages off --topic and articles outside
    --languages are left out and counted by reason in the manifest.

    The workspace remembers its sources: --add PATH adds articles to them, --remove takes a
    source out, --source replaces them all. An article above 1 MB of text is built with a
    warning; one above --max-article-bytes is rejected.

    Exit codes: 0 every input record was used; 1 some records were rejected (each is listed
    on stderr with its file and line; the rest was built); 2 bad usage, an existing
    version, a damaged parent version, or no usable input at all.
    """

    ws = Workspace(workspace)
    with workspace_lock(ws, "build", create=True):
        options = BuildOptions(
            max_article_bytes=max_article_bytes,
            warn_article_bytes=min(WARN_ARTICLE_BYTES, max_article_bytes),
            topic=load_topic(topic),
            languages=parse_languages(languages),
            engine=_engine(engine, ray_address),
            cache=cache,
            ray_address=ray_address,
        )
        plan = plan_sources(ws, source, add, remove)
        report = build_corpus(plan.paths(), ws, version, progress=progress, options=options)
        remember(ws, plan)
    if plan.dropped:
        typer.echo(
            f"note: --source replaced the workspace's sources ({', '.join(plan.dropped)} left out); "
            "to add articles to them, use --add PATH",
            err=True,
        )
    for warning in report.warnings:
        typer.echo(f"warning {warning.where}: {warning.detail}", err=True)
    for rejection in report.rejections:
        typer.echo(f"rejected {rejection.where}: {rejection.detail}", err=True)
    if report.unchanged:
        typer.echo(
            f"unchanged: the input gives the same corpus as version {report.version} "
            f"({report.path}); nothing was written"
        )
    else:
        typer.echo(f"built corpus {report.version} at {report.path}")
        if report.parent and report.diff is not None:
            counts = report.diff["counts"]
            typer.echo(
                f"  against {report.parent}: {counts['added']} added, "
                f"{counts['removed']} removed, {counts['changed']} changed"
            )
    typer.echo(f"  articles kept: {report.kept} of {report.read} read")
    if report.files_cached:
        files = f"{report.files_processed} processed, {report.files_cached} unchanged (from the cache)"
        typer.echo(f"  files:         {files}")
    typer.echo(f"  duplicates:    {report.duplicates} (same clean text as a kept article)")
    typer.echo(f"  rejected:      {report.rejected}")
    if report.engine_stats.get("engine") == "ray":
        stats = report.engine_stats
        typer.echo(
            f"  ray:           {stats['tasks']} tasks on {len(stats['nodes'])} node(s); "
            f"the driver fetched {stats['driver_fetched_bytes']:,} bytes"
            f"; linking stories read {stats['link_read_bytes']:,} bytes"
        )
        if report.rejected > len(report.rejections):
            typer.echo(f"  (the first {len(report.rejections)} rejections are listed; the manifest has all)", err=True)
    if report.filtered:
        reasons = ", ".join(f"{count} {reason}" for reason, count in report.filtered.items())
        typer.echo(f"  left out:      {sum(report.filtered.values())} ({reasons})")
    typer.echo(f"  stories:       {report.stories}")
    if report.rejected:
        typer.echo(
            f"{report.rejected} input record(s) rejected (listed above); fix or remove them "
            "and build again to include them",
            err=True,
        )
        raise typer.Exit(1)


def _engine(name: str, ray_address: str | None) -> Engine:
    if name == "local":
        if ray_address is not None:
            raise UsageError("--ray-address is for --engine ray; add --engine ray, or leave the address out")
        return "local"
    if name == "ray":
        return "ray"
    raise UsageError(f"--engine {name!r}: expected local or ray")


def parse_languages(codes: str | None) -> frozenset[str] | None:
    """The ``--languages`` value as a set of codes (None: every language)."""
    if codes is None:
        return None
    found = frozenset(code.strip().lower() for code in codes.split(",") if code.strip())
    bad = sorted(code for code in found if not (code.isascii() and code.isalpha() and len(code) in (2, 3)))
    if not found or bad:
        raise UsageError(
            f"--languages {codes!r}: expected comma-separated ISO 639-1 codes such as en,ar,ru,tr"
            + (f" ({', '.join(bad)} is not one)" if bad else "")
        )
    return found


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("build")(build)
