"""Images in a post's Markdown, as other tools write them and as exports write them.

An import finds the images a post shows (`references`), outside code: Markdown's
`![alt](path "title")` and Obsidian's `![[name.png|alt]]`; and which file of the
bundle each names (`Locator`): a path relative to the post (an export's
`../media/x.jpg`, Hugo's page bundles), from the site's root (Jekyll's
`/assets/x.png`, `{{ site.baseurl }}/images/x.png`, Hugo's `static/`), or, as
Obsidian links, a file name found anywhere in the vault. `rewrite` swaps each
reference for another; the rest of the text is kept byte for byte.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from posixpath import dirname, join, normpath
from urllib.parse import unquote

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_MARKDOWN_RE = re.compile(
    r"!\[(?P<alt>(?:\\.|\[[^\[\]\n]*\]|[^\\\[\]\n])*)\]"  # one level of [brackets] in an alt
    r"\(\s*(?P<target><[^<>\n]*>|(?:\{\{[^{}\n]*\}\}|[^\s()<>])+)(?P<title>\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_WIKI_RE = re.compile(
    r"!\[\[(?P<target>[^\[\]|#\n]+)(?:#[^\[\]|\n]*)?(?:\|(?P<alt>[^\[\]\n]*))?\]\]"
)
_SIZE_RE = re.compile(r"\d+(?:x\d+)?")  # `![[x.png|300]]` sets a width, not an alt
_SITE_ROOT_RE = re.compile(r"\{\{-?\s*site\.(?:baseurl|url)\s*-?\}\}")
_EXTERNAL_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//|#")  # a scheme (http:, media:), //host


@dataclass(frozen=True)
class Reference:
    start: int
    end: int
    alt: str
    target: str  # as written, without the angle brackets or the title
    wiki: bool = False  # Obsidian's `![[...]]`: a name, not a URL
    target_span: tuple[int, int] = (0, 0)  # of a Markdown reference's target, brackets too

    def with_target(self, body: str, target: str) -> str:
        """This reference (in `body`) pointing at `target`, its alt and title kept;
        a wiki reference becomes a Markdown one."""
        if self.wiki:
            return image_markdown(self.alt, target)
        start, end = self.target_span
        return body[self.start : start] + _destination(target) + body[end : self.end]

    @property
    def local(self) -> bool:
        """Whether it names a file (of the bundle), not a URL or a media id."""
        return self.wiki or not _EXTERNAL_RE.match(_SITE_ROOT_RE.sub("", self.target))


def references(body: str) -> list[Reference]:
    """The images `body` shows, in order, leaving out those inside code."""
    code = code_spans(body)
    found = [_markdown(m) for m in _MARKDOWN_RE.finditer(body)]
    found += [_wiki(m) for m in _WIKI_RE.finditer(body)]
    return sorted(
        (ref for ref in found if not any(a <= ref.start < b for a, b in code)),
        key=lambda ref: ref.start,
    )


def code_spans(body: str) -> list[tuple[int, int]]:
    """Where `body` has code (fenced blocks, `spans`), which shows text as written."""
    fences = [m.span() for m in _FENCE_RE.finditer(body)]
    return fences + [m.span() for m in _CODE_SPAN_RE.finditer(_blank(body, fences))]


def _blank(body: str, spans: Iterable[tuple[int, int]]) -> str:
    """`body` with `spans` as spaces (same length), so code spans inside fences are not
    matched across a fence's edge."""
    for start, end in spans:
        body = body[:start] + " " * (end - start) + body[end:]
    return body


def _markdown(match: re.Match[str]) -> Reference:
    target = match["target"]
    if target.startswith("<"):
        target = target[1:-1]
    alt = re.sub(r"\\(.)", r"\1", match["alt"])
    return Reference(match.start(), match.end(), alt, target, target_span=match.span("target"))


def _wiki(match: re.Match[str]) -> Reference:
    option = (match["alt"] or "").strip()
    alt = "" if _SIZE_RE.fullmatch(option) else option
    return Reference(match.start(), match.end(), alt, match["target"].strip(), wiki=True)


def rewrite(body: str, refs: list[Reference], change: Callable[[Reference], str | None]) -> str:
    """`body` with each of `refs` (from `references(body)`) replaced by `change(ref)`,
    or kept as written where it answers None."""
    parts, at = [], 0
    for ref in refs:
        replacement = change(ref)
        if replacement is not None:
            parts += [body[at : ref.start], replacement]
            at = ref.end
    return "".join(parts) + body[at:]


def image_markdown(alt: str, target: str) -> str:
    """`![alt](target)` with the alt's brackets and backslashes escaped, and a target
    with spaces or brackets in angle brackets, so it reads back as the same."""
    escaped = re.sub(r"([\\\[\]])", r"\\\1", alt.replace("\n", " "))
    return f"![{escaped}]({_destination(target)})"


def _destination(target: str) -> str:
    """`target` as a link destination: spaces, brackets and `%` percent-encoded (what
    every Markdown reader and `Locator.find` decode), the rest as it is."""
    return re.sub(r"[\s()<>%]", lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), target)


class Locator:
    """Finds the bundle file a post's reference names, among `names` (the bundle's images)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = set(names)
        self.by_file_name: dict[str, list[str]] = {}
        for name in sorted(self.names, key=lambda n: (n.count("/"), n)):
            self.by_file_name.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)

    def find(self, ref: Reference, document: str) -> str | None:
        """The image `ref` in the file `document` names, or None if the bundle lacks it."""
        path = ref.target if ref.wiki else unquote(_SITE_ROOT_RE.sub("", ref.target))
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path:
            return None
        for candidate in self._candidates(path, document, ref.wiki):
            if candidate in self.names:
                return candidate
        # As Obsidian links: a file name alone, wherever it is (the shallowest).
        matches = self.by_file_name.get(path.rsplit("/", 1)[-1].lower(), [])
        return matches[0] if matches else None

    def _candidates(self, path: str, document: str, wiki: bool) -> list[str]:
        here = dirname(document)
        if path.startswith("/") or wiki:
            # From the site's root: the bundle's, or a folder the post is in
            # (a zip of the whole site folder), or Hugo's static/ inside it.
            roots = [""] + [_ancestor(here, n) for n in range(1, here.count("/") + 2)]
            found = [join(root, sub, path.lstrip("/")) for root in roots for sub in ("", "static")]
            return [normpath(p) for p in found] + ([normpath(join(here, path))] if wiki else [])
        return [normpath(join(here, path))]


def _ancestor(folder: str, depth: int) -> str:
    return "/".join(folder.split("/")[:depth]) if folder else ""
