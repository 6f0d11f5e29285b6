"""A blog's tags (/blogs/<subdomain>/tags/..., see blog_scope), for its owners
and editors: every tag with its number of posts and its addresses, and a page per
tag to rename it (capitalisation included), move its address (the old one then
redirects) or, only when asked, merge it into the tag that has the new name.
"""

from flask import flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from inkwell.platform.core.content.tags import TagError, rename_tag, tags_with_counts
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tag, Tenant
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.forms import TagForm

bp = blog_blueprint("tags", __name__, "/tags")


@bp.before_request
def _editors_only() -> None:
    require_role("owner", "editor", message="Only the blog's owners and editors manage its tags.")


@bp.get("/")
def index() -> str:
    return render_template("dashboard/tags.html", tenant=g.tenant, rows=tags_with_counts())


@bp.route("/<int:tag_id>", methods=["GET", "POST"])
def edit(tag_id: int) -> Response | tuple[str, int]:
    tag = db.get_or_404(Tag, tag_id)
    form = TagForm(data={"name": tag.name, "slug": tag.slug})
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        tenant = db.session.get_one(Tenant, g.tenant.id)
        try:
            kept = rename_tag(tag, tenant, form.name.data, form.slug.data or "", form.merge.data)
        except TagError as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
            status = 409
        else:
            db.session.commit()
            flash(f"Saved the tag “{kept.name}”, at /tags/{kept.slug}/.")
            return redirect(url_for("tags.index"))
    page = render_template("dashboard/tag_form.html", tenant=g.tenant, tag=tag, form=form)
    return page, status
