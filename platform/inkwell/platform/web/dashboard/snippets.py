"""Code snippets of one blog (/blogs/<subdomain>/snippets/..., see blog_scope).

Any member of the blog may manage every snippet, whatever their role: snippets
have no author and no drafts, and each change is plain to see on the blog.
"""

from flask import flash, g, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core.content.posts import commit_retrying
from inkwell.platform.core.content.snippets import (
    SnippetInput,
    delete_snippet,
    language_name,
    save_snippet,
)
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.limits.quotas import QuotaExceeded
from inkwell.platform.core.models import Snippet, Tenant
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint
from inkwell.platform.web.dashboard.editor import View
from inkwell.platform.web.forms import ConfirmForm, SnippetForm

bp = blog_blueprint("snippets", __name__, "/snippets")


@bp.get("/")
def index() -> str:
    rows = db.session.scalars(select(Snippet).order_by(Snippet.updated_at.desc()))
    return render_template(
        "dashboard/snippets.html",
        tenant=g.tenant,
        snippets=rows,
        language_name=language_name,
        delete_form=ConfirmForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> View:
    return _edit(None)


@bp.route("/<int:snippet_id>/edit", methods=["GET", "POST"])
def edit(snippet_id: int) -> View:
    return _edit(db.get_or_404(Snippet, snippet_id))


def _edit(snippet: Snippet | None) -> View:
    form = SnippetForm(obj=snippet)
    if not form.validate_on_submit():
        return _form_page(form, snippet, 400 if form.is_submitted() else 200)
    data = SnippetInput(
        title=form.title.data,
        code=form.code.data or "",
        language=form.language.data or "",
        slug=form.slug.data or "",
    )
    try:
        saved = commit_retrying(lambda: _save(snippet.id if snippet else None, data))
    except QuotaExceeded as refused:
        db.session.rollback()
        form.form_errors.append(str(refused))
        return _form_page(form, snippet, refused.status)
    flash(f"Saved “{saved.title}”.")
    return redirect(url_for("snippets.index"))


def _form_page(form: SnippetForm, snippet: Snippet | None, status: int) -> tuple[str, int]:
    page = render_template(
        "dashboard/snippet_form.html", form=form, snippet=snippet, tenant=g.tenant
    )
    return page, status


def _save(snippet_id: int | None, data: SnippetInput) -> Snippet:
    """Load (or create) and change the snippet; run again by commit_retrying after a race."""
    snippet = db.get_or_404(Snippet, snippet_id) if snippet_id else Snippet()
    budget = quotas.Budget(g.tenant.id)
    if snippet_id is None:
        budget.add("snippets")
    save_snippet(snippet, db.session.get(Tenant, g.tenant.id), data, charge=budget.store)
    return snippet


@bp.post("/<int:snippet_id>/delete")
def delete(snippet_id: int) -> Response:
    snippet = db.get_or_404(Snippet, snippet_id)
    delete_snippet(snippet, db.session.get(Tenant, g.tenant.id))
    db.session.commit()
    flash(f"Deleted “{snippet.title}”.")
    return redirect(url_for("snippets.index"))
