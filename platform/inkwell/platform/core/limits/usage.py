"""What each blog uses: posts, snippets and bytes of stored content (Markdown
and rendered HTML of posts, code and highlighted HTML of snippets, the texts of
post revisions, their `size`, and the files of its images, `media.stored_bytes`).
Counted across blogs in one query each, for lists; quotas compare against it."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Integer

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Media, Post, PostRevision, Snippet


class byte_length(FunctionElement[int]):
    """Bytes of a text column in UTF-8, which quotas limit: `length` counts
    characters, so non-Latin text would take three times its allowance."""

    type = Integer()
    inherit_cache = True


@compiles(byte_length)
def _octet_length(element: byte_length, compiler: Any, **kw: Any) -> str:
    return f"octet_length({compiler.process(element.clauses, **kw)})"


@compiles(byte_length, "sqlite")
def _blob_length(element: byte_length, compiler: Any, **kw: Any) -> str:
    # SQLite before 3.43 has no octet_length; a text cast to a blob is its UTF-8.
    return f"length(CAST({compiler.process(element.clauses, **kw)} AS BLOB))"


@dataclass(frozen=True)
class Usage:
    posts: int = 0
    snippets: int = 0
    storage_bytes: int = 0
    media_bytes: int = 0  # of storage_bytes: the files of its images


def usage(tenant_ids: list[int]) -> dict[int, Usage]:
    """Usage of each blog in `tenant_ids` (every one of them has an entry)."""
    posts_bytes = byte_length(Post.body_md) + byte_length(Post.body_html)
    post_rows = select(Post.tenant_id, func.count(), func.coalesce(func.sum(posts_bytes), 0))
    snippet_bytes = byte_length(Snippet.code) + byte_length(Snippet.html)
    snippet_rows = select(
        Snippet.tenant_id, func.count(), func.coalesce(func.sum(snippet_bytes), 0)
    )
    counts: dict[int, list[int]] = {tenant_id: [0, 0, 0, 0] for tenant_id in tenant_ids}
    with tenancy.across_tenants():
        for query, column in ((post_rows, 0), (snippet_rows, 1)):
            model = Post if column == 0 else Snippet
            grouped = query.where(model.tenant_id.in_(tenant_ids)).group_by(model.tenant_id)
            for tenant_id, count, size in db.session.execute(grouped):
                counts[tenant_id][column] = count
                counts[tenant_id][2] += int(size)
        for size_column in (PostRevision.size, Media.stored_bytes):
            table = size_column.class_
            sizes = select(table.tenant_id, func.sum(size_column))
            sizes = sizes.where(table.tenant_id.in_(tenant_ids)).group_by(table.tenant_id)
            for tenant_id, size in db.session.execute(sizes):
                counts[tenant_id][2] += int(size)
                if table is Media:
                    counts[tenant_id][3] = int(size)
    return {tenant_id: Usage(*values) for tenant_id, values in counts.items()}


def stored_size(*texts: str | None) -> int:
    """What texts count toward storage: their UTF-8 bytes, as `usage` sums them."""
    return sum(len((text or "").encode()) for text in texts)
