"""Settings → CSS: the blog's owners write their own CSS (`core.content.custom_css`).
A save keeps the text as typed and serves its cleaned part; what was left out is
listed with line:column under the form, now and on every later visit. A save from
an older settings revision gets 409 and the text back instead of replacing a newer
one (`content.conflicts`)."""

from flask import current_app, flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from inkwell.platform.core.content import custom_css
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.conflicts import EditConflict, claim_settings
from inkwell.platform.core.extensions import db
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.forms import CustomCssForm

bp = blog_blueprint("custom_css", __name__, "/css")


@bp.before_request
def _owners_only() -> None:
    require_role("owner", message="Only the blog's owners can change its CSS.")


@bp.get("/")
def index() -> str:
    form = CustomCssForm(base_revision=str(g.tenant.settings_revision))
    form.css.data = g.tenant.custom_css_source
    return _page(form)


@bp.post("/")
def save() -> Response | tuple[str, int]:
    form = CustomCssForm()
    if not form.validate_on_submit():
        return _page(form), 400
    source = (form.css.data or "").replace("\r\n", "\n")
    try:
        cleaned = custom_css.clean(source, current_app.config["CUSTOM_CSS_MAX_BYTES"])
        claim_settings(g.tenant, form.base_revision.revision)
    except custom_css.TooLarge as error:
        form.css.errors = [str(error)]
        return _page(form), 400
    except EditConflict:
        db.session.rollback()
        form.base_revision.data = str(g.tenant.settings_revision)
        form.css.errors = [
            "Someone saved the blog's settings meanwhile, so this CSS was not saved. "
            "It is still below: save again to replace theirs."
        ]
        return _page(form), 409
    g.tenant.custom_css_source, g.tenant.custom_css = source, cleaned.css
    content_changed(g.tenant, "settings")
    db.session.commit()
    left_out = len(cleaned.problems)
    flash("CSS saved." + (f" {left_out} part(s) were left out: see below." if left_out else ""))
    return redirect(url_for("custom_css.index"))


def _page(form: CustomCssForm) -> str:
    limit = current_app.config["CUSTOM_CSS_MAX_BYTES"]
    try:
        problems = custom_css.clean(g.tenant.custom_css_source, limit).problems
    except custom_css.TooLarge:
        problems = []  # the limit was lowered since: the form's next save says so
    return render_template(
        "dashboard/custom_css.html", form=form, tenant=g.tenant, problems=problems, limit=limit
    )
