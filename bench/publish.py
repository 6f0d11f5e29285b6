"""Inkwell's side of the mirror benchmark: what `inkwell publish` reports, and
an incremental republish after editing one post of the corpus."""

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench import services

# The summary line ends every publish: "... uploaded N, skipped N, deleted N, pages N ... s".
UPLOADED = re.compile(r"\buploaded (\d+)")
PAGES = re.compile(r"\bpages (\d+)")
SECONDS = re.compile(r"(\d+(?:\.\d+)?) ?s(?:econds?)?\b")


@dataclass(frozen=True)
class Publish:
    seconds: float  # wall clock around the command: start-up and app creation included
    reported: float | None  # the seconds the summary line gives (measured in-process)
    uploaded: int
    pages: int | None
    line: str


def summary(output: str, seconds: float) -> Publish:
    """Parse the last summary line of a publish's output."""
    lines = [line for line in output.splitlines() if UPLOADED.search(line)]
    if not lines:
        raise RuntimeError(f"inkwell publish printed no 'uploaded N' line: {output[-1000:]!r}")
    line = lines[-1].strip()
    pages, reported = PAGES.search(line), SECONDS.search(line)
    return Publish(
        seconds=seconds,
        reported=float(reported.group(1)) if reported else None,
        uploaded=int(UPLOADED.search(line).group(1)),
        pages=int(pages.group(1)) if pages else None,
        line=line,
    )


def by_date(corpus: Path) -> list[str]:
    """The corpus's slugs, newest post first."""
    dated = []
    for post in corpus.glob("*.md"):
        meta = yaml.safe_load(post.read_text().split("---\n", 2)[1])
        dated.append((meta["date"], meta["slug"]))
    return [slug for _, slug in sorted(dated, reverse=True)]


def republish_after_edit(
    env: dict[str, str], blog: str, corpus: Path, slug: str, mirror: Path
) -> Publish:
    """Edit the body of post `slug` in the corpus, import just that file, then time
    `inkwell publish` (incremental) into the mirror of the last full publish."""
    post = corpus / f"{slug}.md"
    text = post.read_text() + f"\nEdited by the benchmark at {time.time():.0f}.\n"
    post.write_text(text)
    edit = corpus.parent / f"edit-{slug}"
    edit.mkdir()
    (edit / post.name).write_text(text)
    services.inkwell(env, "import", "markdown", blog, str(edit))
    env = {**env, "INKWELL_MIRROR_URL": mirror.as_uri()}
    command = [services.BIN / "inkwell", "publish", blog]
    started = time.perf_counter()
    result = subprocess.run(
        command, env=env, cwd=services.ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"inkwell publish {blog} failed: {result.stderr.strip()[-2000:]}")
    return summary(result.stdout + result.stderr, seconds)
