"""One snippet as a file with YAML front matter (title, slug, language) and the
raw code as its body: what exports write and imports read."""

from pathlib import PurePosixPath

from inkwell.platform.core.content.posts import slugify
from inkwell.platform.core.content.snippets import SnippetInput
from inkwell.platform.core.models import Snippet
from inkwell.platform.core.portability.front_matter import (
    FrontMatterError,
    read_document,
    write_document,
)


class SnippetFileError(ValueError):
    """The file does not describe a snippet; the message is for the user."""


def read_snippet_file(name: str, data: bytes) -> SnippetInput:
    try:
        meta, code = read_document(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SnippetFileError("not UTF-8 text") from None
    except FrontMatterError as error:
        raise SnippetFileError(str(error)) from None
    title = str(meta.get("title") or "").strip()
    if not title:
        raise SnippetFileError("title is missing")
    slug = slugify(str(meta.get("slug") or PurePosixPath(name).stem))
    return SnippetInput(title=title, code=code, language=str(meta.get("language") or ""), slug=slug)


def write_snippet_file(snippet: Snippet) -> str:
    meta = {"title": snippet.title, "slug": snippet.slug, "language": snippet.language}
    return write_document(meta, snippet.code)
