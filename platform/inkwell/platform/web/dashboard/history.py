"""A post's history and the blog's deleted posts (/blogs/<subdomain>/..., see blog_scope).

Members see, compare and restore the history of the posts they may edit (authors
their own, as in the editor); a restore goes through `save_post`, charged to the
quota, and is itself a revision. Owners see the deleted posts still in their
grace period and bring one back as a draft.
"""

from uuid import UUID

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from inkwell.platform.core.content import restoring, revisions
from inkwell.platform.core.content.diffs import field_changes, word_diff
from inkwell.platform.core.content.posts import commit_retrying
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import Budget, QuotaExceeded, format_bytes
from inkwell.platform.core.models import Post, PostRevision, Tenant
from inkwell.platform.core.template_filters import local_time
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.dashboard.editor import editable_post, member_actor
from inkwell.platform.web.forms import ConfirmForm

bp = blog_blueprint("history", __name__)

KINDS = {
    "save": "Saved",
    "autosave": "Autosaved",
    "publish": "Published",
    "restore": "Restored",
    "import": "Imported",
    "scheduler": "Published on schedule",
    "admin": "Changed by an admin",
    "delete": "Deleted",
    "baseline": "Before history",
}
OWNERS_ONLY = "Only the blog's owners can see and bring back deleted posts."
UNVERIFIED = (
    "Confirm your email address before changing a post readers can see: open the link "
    "we mailed you, or send it again from the dashboard."
)


@bp.get("/posts/<int:post_id>/history")
def post_history(post_id: int) -> str:
    post = editable_post(post_id)
    rows = list(db.session.scalars(revisions.history(post)))
    return render_template(
        "dashboard/history.html",
        tenant=g.tenant,
        post=post,
        revisions=rows,
        # The newest revision usually is the post as it is: nothing to compare or restore.
        current_id=rows[0].id
        if rows and revisions.state_of(rows[0]) == revisions.state_of(post)
        else None,
        post_bytes=sum(row.size for row in rows),
        blog_bytes=revisions.history_bytes(),
        **_helpers(),
    )


@bp.get("/posts/<int:post_id>/history/<int:revision_id>")
def compare(post_id: int, revision_id: int) -> str:
    post = editable_post(post_id)
    return _compare_page(post, _revision_of(post, revision_id))[0]


def _compare_page(post: Post, revision: PostRevision, status: int = 200) -> tuple[str, int]:
    old, new = revisions.state_of(revision), revisions.state_of(post)
    page = render_template(
        "dashboard/revision.html",
        tenant=g.tenant,
        post=post,
        revision=revision,
        changes=field_changes(old, new),
        body=word_diff(old.body_md, new.body_md) if old.body_md != new.body_md else None,
        same=old == new,
        **_helpers(),
    )
    return page, status


@bp.post("/posts/<int:post_id>/history/<int:revision_id>/restore")
def restore(post_id: int, revision_id: int) -> Response | tuple[str, int]:
    post = editable_post(post_id)
    when = local_time(_revision_of(post, revision_id).created_at, g.tenant.time_zone)
    if post.status != "draft" and current_user.email_verified_at is None:
        abort(403, UNVERIFIED)

    def work() -> bool:
        post, budget = editable_post(post_id), Budget(g.tenant.id)
        tenant = db.session.get_one(Tenant, g.tenant.id)
        chosen = _revision_of(post, revision_id)
        return restoring.restore_revision(post, tenant, chosen, member_actor(), budget.store)

    try:
        changed = commit_retrying(work)
    except QuotaExceeded as refused:
        db.session.rollback()
        flash(f"Not restored. {refused}", "error")
        post = editable_post(post_id)
        return _compare_page(post, _revision_of(post, revision_id), refused.status)
    flash(f"Restored the text of {when}." if changed else f"The post has the text of {when}.")
    return redirect(url_for("history.post_history", post_id=post_id))


def _revision_of(post: Post, revision_id: int) -> PostRevision:
    query = revisions.history(post).where(PostRevision.id == revision_id)
    return db.session.scalars(query).first() or abort(404)


@bp.get("/deleted")
def deleted() -> str:
    require_role("owner", message=OWNERS_ONLY)
    return _deleted_page()[0]


def _deleted_page(status: int = 200) -> tuple[str, int]:
    page = render_template(
        "dashboard/deleted.html", tenant=g.tenant, posts=restoring.deleted_posts(), **_helpers()
    )
    return page, status


@bp.post("/deleted/<uuid:post_uuid>/restore")
def bring_back(post_uuid: UUID) -> Response | tuple[str, int]:
    require_role("owner", message=OWNERS_ONLY)

    def work() -> tuple[Post, str]:
        revision = restoring.deleted_post(post_uuid) or abort(404)
        budget = Budget(g.tenant.id)
        budget.add("posts")
        tenant = db.session.get_one(Tenant, g.tenant.id)
        return restoring.bring_back(revision, tenant, member_actor(), budget.store), revision.slug

    try:
        post, wanted = commit_retrying(work)
    except QuotaExceeded as refused:
        db.session.rollback()
        flash(f"Not brought back. {refused}", "error")
        return _deleted_page(refused.status)
    moved = f" Its old address /{wanted}/ is taken by another post." if post.slug != wanted else ""
    flash(f"Brought back “{post.title}” as a draft at /{post.slug}/.{moved}")
    return redirect(url_for("editor.edit_post", post_id=post.id))


def _helpers() -> dict[str, object]:
    return {"kinds": KINDS, "size": format_bytes, "form": ConfirmForm()}
