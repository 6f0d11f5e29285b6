"""A deterministic corpus of Markdown posts with YAML front matter, shaped like a
real technical blog: ~800 words of prose and two 20-line Python blocks a post."""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

_VOCABULARY = (
    "cache request tenant query index latency worker process thread socket buffer "
    "render template database migration schema version deploy release config proxy "
    "header response stream queue batch commit rollback replica shard backup restore "
    "the a of to and in is it that for on with as was be at by this from or an are"
)
WORDS = _VOCABULARY.split()
TAGS = [f"topic-{n}" for n in range(24)]
PARAGRAPH_WORDS = 80
PARAGRAPHS = 10  # about 800 words
CODE_LINES = 20
# Dates spread back from here, so every post is already public.
NEWEST = datetime(2026, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=5 * 365)


def write_corpus(folder: Path, count: int, seed: int = 4) -> list[str]:
    """Write `count` posts as `<slug>.md` into `folder`; return their slugs."""
    rng = random.Random(seed)
    slugs = []
    for n in range(count):
        slug = f"post-{n:04d}"
        (folder / f"{slug}.md").write_text(_post(rng, n, slug))
        slugs.append(slug)
    return slugs


def _post(rng: random.Random, n: int, slug: str) -> str:
    title = f"Notes {n}: {' '.join(rng.choices(WORDS, k=4))}"
    date = NEWEST - SPAN * rng.random()
    tags = ", ".join(rng.sample(TAGS, k=rng.randint(2, 4)))
    paragraphs = [_paragraph(rng) for _ in range(PARAGRAPHS)]
    # The code blocks sit between paragraphs, as in a tutorial.
    paragraphs.insert(3, _code_block(rng))
    paragraphs.insert(8, _code_block(rng))
    front = f"---\ntitle: '{title}'\ndate: {date.isoformat()}\ntags: [{tags}]\nslug: {slug}\n---\n"
    return front + "\n\n".join(paragraphs) + "\n"


def _paragraph(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=PARAGRAPH_WORDS)
    return " ".join(words).capitalize() + "."


def _code_block(rng: random.Random) -> str:
    name = rng.choice(WORDS[:30])
    lines = [f"def handle_{name}(items, limit={rng.randint(1, 99)}):", '    """Process items."""']
    for i in range(CODE_LINES - 3):
        word = rng.choice(WORDS[:30])
        lines.append(f"    {word}_{i} = [x * {rng.randint(2, 9)} for x in items if x > {i}]")
    lines.append("    return limit")
    return "```python\n" + "\n".join(lines) + "\n```"
