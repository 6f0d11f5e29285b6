"""What each blog uses: posts, snippets and bytes of stored content (Markdown
and rendered HTML of posts, code and highlighted HTML of snippets). Counted
across blogs in one query each, for lists; quotas compare against it."""

from dataclasses import dataclass

from sqlalchemy import func, select

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Snippet


@dataclass(frozen=True)
class Usage:
    posts: int = 0
    snippets: int = 0
    storage_bytes: int = 0


def usage(tenant_ids: list[int]) -> dict[int, Usage]:
    """Usage of each blog in `tenant_ids` (every one of them has an entry)."""
    posts_bytes = func.length(Post.body_md) + func.length(Post.body_html)
    post_rows = select(Post.tenant_id, func.count(), func.coalesce(func.sum(posts_bytes), 0))
    snippet_bytes = func.length(Snippet.code) + func.length(Snippet.html)
    snippet_rows = select(
        Snippet.tenant_id, func.count(), func.coalesce(func.sum(snippet_bytes), 0)
    )
    counts: dict[int, list[int]] = {tenant_id: [0, 0, 0] for tenant_id in tenant_ids}
    with tenancy.across_tenants():
        for query, column in ((post_rows, 0), (snippet_rows, 1)):
            model = Post if column == 0 else Snippet
            grouped = query.where(model.tenant_id.in_(tenant_ids)).group_by(model.tenant_id)
            for tenant_id, count, size in db.session.execute(grouped):
                counts[tenant_id][column] = count
                counts[tenant_id][2] += int(size)
    return {tenant_id: Usage(*values) for tenant_id, values in counts.items()}
