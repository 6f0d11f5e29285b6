"""Writing posts in one blog (/blogs/<subdomain>/..., see blog_scope).

Roles: authors edit their own posts; editors and owners edit all; owners also
edit the blog's settings (its time zone among them, in which the editor takes and
shows times). The list puts drafts first, then scheduled posts, then published
ones as readers see them (`WRITERS_ORDER`).

A slug the writer typed that is taken (another post's, an old address of one, a
page of the blog) is a form error that keeps their text; one made from the title
that had to be suffixed is named in the flash. The editor lists a post's old
addresses, which keep redirecting to it, and removes one on request.
"""

import re
from dataclasses import asdict, replace
from typing import Any

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from inkwell.platform.core.content import aliases, presence
from inkwell.platform.core.content.alias_paths import AliasError, shown
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.conflicts import EditConflict, check_base, claim_settings
from inkwell.platform.core.content.post_input import BODY_MAX, multi_line
from inkwell.platform.core.content.posts import (
    NEWEST_FIRST,
    PostInput,
    SlugTaken,
    commit_retrying,
    delete_post,
    save_post,
    slugify,
)
from inkwell.platform.core.content.rendering import render_markdown
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.content.search import follow_language
from inkwell.platform.core.content.tags import TagError, format_tag_field
from inkwell.platform.core.content.themes import THEMES
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.limits.quotas import QuotaExceeded
from inkwell.platform.core.models import Post, Tenant
from inkwell.platform.core.time_zones import ambiguity_note, local
from inkwell.platform.web.dashboard import appearance, edit_conflicts, thumbnails
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, json_error, require_role
from inkwell.platform.web.dashboard.media import preview_links
from inkwell.platform.web.forms import BlogSettingsForm, ConfirmForm, OldAddressForm, PostForm
from inkwell.tenants import assets

bp = blog_blueprint("editor", __name__)
# Characters of body past which the editor's preview waits to be asked (editor.js):
# rendering a long text at every pause in typing would keep the server and the
# page busy.
LIVE_PREVIEW_MAX = 100_000

View = Response | tuple[str, int] | str


def editable_post(post_id: int) -> Post:
    """The post, if the current member may change it (and see its history)."""
    post = db.get_or_404(Post, post_id)
    if g.role == "author" and post.author_id != current_user.id:
        abort(403, "Authors can edit only their own posts.")
    return post


# The posts list: work in progress first (drafts, the last edited on top), then
# posts to come (the soonest on top), then what readers see, in their order (the
# newest published on top). Not by last update: an import of old posts would bury
# new ones under them, and a typo fixed in an old post would lift it to the top.
WRITERS_ORDER = (
    case((Post.status == "draft", 0), (Post.status == "scheduled", 1), else_=2),
    case((Post.status == "draft", Post.updated_at)).desc(),
    case((Post.status == "scheduled", Post.published_at)).asc(),
    *NEWEST_FIRST,
)


@bp.get("/")
def posts() -> str:
    rows = db.session.scalars(select(Post).order_by(*WRITERS_ORDER))
    return render_template(
        "dashboard/posts.html",
        tenant=g.tenant,
        role=g.role,
        posts=rows,
        usage=quotas.report(g.tenant.id),
        public_url=blog_url(g.tenant),
        delete_form=ConfirmForm(),
    )


@bp.route("/posts/new", methods=["GET", "POST"])
def new_post() -> View:
    return _edit(None)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int) -> View:
    return _edit(editable_post(post_id))


UNVERIFIED = (
    "Confirm your email address before publishing: open the link we mailed you, or send it "
    "again from the dashboard."
)


def _edit(post: Post | None) -> View:
    zone = g.tenant.time_zone
    form = PostForm(data=_form_data(post, zone) if post else None, time_zone=zone)
    if not form.validate_on_submit():
        return _form_page(form, post, 400 if form.is_submitted() else 200)
    held = form.status.data != "draft" and current_user.email_verified_at is None
    if held and post is not None and post.status != "draft":
        # Kept as a draft, a post readers have (or will have at its date) would go.
        form.form_errors.append(UNVERIFIED)
        return _form_page(form, post, 403)
    if held:  # the writer's text is kept, as a draft, rather than refused
        form.cleaned = replace(form.cleaned, status="draft")
    base = form.base_revision.revision
    try:
        saved = commit_retrying(lambda: _save(post.id if post else None, form.cleaned, base))
    except QuotaExceeded as refused:
        db.session.rollback()
        form.form_errors.append(str(refused))
        return _form_page(form, post, refused.status)
    except EditConflict as conflict:
        db.session.rollback()  # `conflict.stored` now reads as the other save left it
        return _form_page(form, post, 409, edit_conflicts.post_conflict(conflict.stored, form))
    except SlugTaken as taken:
        db.session.rollback()
        form.slug.errors.append(str(taken))
        return _form_page(form, post, 409)
    except TagError as refused:  # the form checks this first; a backstop
        db.session.rollback()
        form.tags.errors.append(str(refused))
        return _form_page(form, post, 400)
    if held:  # back to the editor, the message at the top of it
        flash(f"Saved “{saved.title}” as a draft, not published. {UNVERIFIED}", "error")
        return redirect(url_for("editor.edit_post", post_id=saved.id))
    flash(_saved_message(saved, form, asked_slug=form.slug.data or ""))
    return redirect(url_for("editor.posts"))


def _saved_message(post: Post, form: PostForm, asked_slug: str) -> str:
    """The flash after a save: when it goes live if the writer gave a date to come,
    which time it took if theirs happens twice, and where the post is when its
    title's address was taken."""
    zone = form.time_zone
    if post.status == "scheduled" and form.status.data == "published":
        # The writer chose Published with a date to come: say it waits for that date.
        when = local(post.published_at, zone)
        message = (
            f"Saved “{post.title}”. It is scheduled for {when:%Y-%m-%d %H:%M} {zone}, "
            "the date you gave; to publish it now, clear the date."
        )
    else:
        message = _saved_at(post, asked_slug)
    if form.ambiguous_time and post.published_at:
        message += " " + ambiguity_note(post.published_at, zone)
    return message


def _saved_at(post: Post, asked_slug: str) -> str:
    made = slugify(post.title)
    if asked_slug or post.slug == made or not aliases.slug_problem(made, post.id):
        return f"Saved “{post.title}”."
    return f"Saved “{post.title}” at /{post.slug}/: /{made}/ was taken."


def _form_page(
    form: PostForm,
    post: Post | None,
    status: int,
    conflict: edit_conflicts.Conflict | None = None,
    address_form: OldAddressForm | None = None,
) -> tuple[str, int]:
    # The preview frames the text in the blog's own (content-hashed) stylesheets,
    # served on this host too, so the platform's CSP needs no other style origin.
    styles = assets.stylesheets(g.tenant.theme, g.tenant.code_style)
    page = render_template(
        "dashboard/post_form.html",
        form=form,
        post=post,
        tenant=g.tenant,
        preview_styles=styles,
        body_max=BODY_MAX,
        live_preview_max=LIVE_PREVIEW_MAX,
        conflict=conflict,
        # Fields filled from the stored post: the browser's backup of them may go.
        shows_stored=status == 200 and post is not None,
        others=presence.others_editing(post.id, current_user.id) if post else [],
        old_slugs=aliases.old_slugs(post.id) if post else [],
        address_form=address_form or OldAddressForm(formdata=None),
        shown_alias=shown,
        confirm_form=ConfirmForm(),
        upload_url=url_for("media.upload"),
        image_types=thumbnails.ACCEPTED_TYPES,
        cover_choices=thumbnails.cover_choices(form.cover_media_id.data),
        thumb_url=thumbnails.choice_url,
    )
    return page, status


def _form_data(post: Post, zone: str) -> dict[str, Any]:
    scheduled = post.status == "scheduled" and post.published_at
    return {
        "base_revision": str(post.revision),
        "title": post.title,
        "slug": post.slug,
        "tags": format_tag_field(tag.name for tag in post.tags),
        "excerpt": post.excerpt,
        "body_md": post.body_md,
        "status": post.status,
        # As the blog's clocks show it, which the form reads it back as.
        "publish_at": local(post.published_at, zone).replace(tzinfo=None) if scheduled else None,
        "cover_media_id": post.cover_media_id,
        "kind": "page" if post.is_page else "post",
        "email_subscribers": post.email_subscribers,
    }


def member_actor() -> Actor:
    """The logged-in member, as revisions name who changed a post."""
    return Actor(current_user.email, current_user.id)


def _save(
    post_id: int | None, data: PostInput, base_revision: int | None, kind: str = "save"
) -> Post:
    """Load (or create) and change the post; run again by commit_retrying after a race."""
    post = editable_post(post_id) if post_id else Post(author_id=current_user.id)
    budget = quotas.Budget(g.tenant.id)
    if post_id is None:
        budget.add("posts")
    tenant = db.session.get(Tenant, g.tenant.id)
    save_post(
        post,
        tenant,
        data,
        charge=budget.store,
        base_revision=base_revision,
        actor=member_actor(),
        kind=kind,
    )
    return post


@bp.post("/posts/autosave")
@bp.post("/posts/<int:post_id>/autosave")
def autosave(post_id: int | None = None) -> Response:
    """Save a draft in the background; published posts are saved only on purpose."""
    form = PostForm(time_zone=g.tenant.time_zone)
    form.status.data = "draft"
    if not form.validate():
        errors = "; ".join(f"{form[name].label.text}: {e[0]}" for name, e in form.errors.items())
        return json_error(f"Not saved. {errors}", 400)
    base = form.base_revision.revision
    try:
        if post_id and (post := editable_post(post_id)).status != "draft":
            check_base(post, base)  # published by another tab: the conflict says more
            return json_error("Published posts are saved with the Save button.", 409)
        post = commit_retrying(lambda: _save(post_id, form.cleaned, base, "autosave"))
    except QuotaExceeded as refused:
        db.session.rollback()
        return json_error(f"Not saved. {refused}", refused.status)
    except EditConflict as conflict:
        db.session.rollback()
        answer = jsonify(edit_conflicts.post_conflict_json(conflict.stored, form))
        answer.status_code = 409
        return answer
    except (SlugTaken, TagError) as refused:
        db.session.rollback()
        return json_error(f"Not saved. {refused}", 409 if isinstance(refused, SlugTaken) else 400)
    return jsonify(
        id=post.id,
        revision=post.revision,
        edit_url=url_for("editor.edit_post", post_id=post.id),
        autosave_url=url_for("editor.autosave", post_id=post.id),
        presence_url=url_for("editor.heartbeat", post_id=post.id),
        saved_at=post.updated_at.isoformat(),
        # As every time in the editor: on the blog's clocks, not the browser's.
        saved_at_text=local(post.updated_at, g.tenant.time_zone).strftime("%H:%M %Z"),
    )


# A tab's name for itself (editor.js: 32 hex digits).
TAB_NAME = re.compile(r"[0-9a-f]{32}")


@bp.post("/posts/<int:post_id>/presence")
def heartbeat(post_id: int) -> Response:
    """The editor's heartbeat, `{"tab": ...}` (and `"leaving": "1"` when the page goes;
    text, as in every JSON body of the platform's scripts): who else has the post open."""
    editable_post(post_id)
    payload = request.get_json(silent=True) or {}
    tab = payload.get("tab") if isinstance(payload, dict) else None
    if not isinstance(tab, str) or not TAB_NAME.fullmatch(tab):
        return json_error("A heartbeat names its tab: 32 hexadecimal digits.", 400)
    if payload.get("leaving") == "1":
        presence.leave(post_id, current_user.id, tab)
    else:
        presence.heartbeat(post_id, current_user.id, tab)
    try:
        db.session.commit()
    except IntegrityError:  # two heartbeats of one tab at once: the other one counted
        db.session.rollback()
    others = presence.others_editing(post_id, current_user.id, tab)
    return jsonify(
        others=[{**asdict(o), "since": o.since.isoformat()} for o in others],
        html=render_template("dashboard/_presence.html", others=others),
    )


@bp.post("/posts/<int:post_id>/old-addresses/remove")
def remove_old_address(post_id: int) -> Response:
    """Stop an old address (the form's `slug`) redirecting to the post, so another
    post may take it."""
    post = editable_post(post_id)
    slug = request.form.get("slug", "")
    if not aliases.remove_alias(post, db.session.get_one(Tenant, g.tenant.id), slug):
        abort(404)
    db.session.commit()
    flash(f"{shown(slug)} no longer leads to “{post.title}”; another post may now use it.")
    return redirect(url_for("editor.edit_post", post_id=post.id))


@bp.post("/posts/<int:post_id>/old-addresses/add")
def add_old_address(post_id: int) -> View:
    """Keep an address of the old site (a path, `/?p=123`, or its whole URL) leading
    to the post; the editor again with the reason when it cannot."""
    post = editable_post(post_id)
    form = OldAddressForm()
    if form.validate_on_submit():
        try:
            stored = aliases.add_alias(
                post, db.session.get_one(Tenant, g.tenant.id), form.address.data
            )
        except AliasError as refused:
            db.session.rollback()
            form.address.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"{shown(stored)} now leads to “{post.title}”.")
            return redirect(url_for("editor.edit_post", post_id=post.id, _anchor="old-addresses"))
    zone = g.tenant.time_zone
    editor = PostForm(formdata=None, data=_form_data(post, zone), time_zone=zone)
    return _form_page(editor, post, 400, address_form=form)


@bp.post("/preview")
def preview() -> Response:
    """The body as readers will see it, through the same pipeline as a save."""
    body = multi_line(str((request.get_json(silent=True) or {}).get("body_md", "")))
    return jsonify(html=preview_links(render_markdown(body[:BODY_MAX])))


@bp.post("/posts/<int:post_id>/delete")
def remove_post(post_id: int) -> Response:
    post = editable_post(post_id)
    try:
        delete_post(post, db.session.get(Tenant, g.tenant.id), actor=member_actor())
    except EditConflict:
        db.session.rollback()
        flash(
            f"Someone saved “{post.title}” while you deleted it, so it was kept. Look at it first."
        )
        return redirect(url_for("editor.edit_post", post_id=post_id))
    db.session.commit()
    flash(f"Deleted “{post.title}”.")
    return redirect(url_for("editor.posts"))


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> View:
    require_role("owner", message="Only the blog's owners can change its settings.")
    form = BlogSettingsForm(obj=g.tenant, base_revision=str(g.tenant.settings_revision))
    if not form.validate_on_submit():
        return _settings_page(form, 400 if form.is_submitted() else 200)
    try:
        claim_settings(g.tenant, form.base_revision.revision)
    except EditConflict as conflict:
        db.session.rollback()
        return _settings_page(form, 409, edit_conflicts.settings_conflict(conflict.stored, form))
    for name, value in form.settings().items():
        setattr(g.tenant, name, value)
    follow_language(g.tenant)  # search stems words as the blog's language does
    content_changed(g.tenant, "settings")
    db.session.commit()
    flash("Settings saved.")
    return redirect(url_for("editor.posts"))


def _settings_page(
    form: BlogSettingsForm, status: int, conflict: edit_conflicts.Conflict | None = None
) -> tuple[str, int]:
    # The stored theme (the blog changes only on a valid save): the preview frames show
    # what readers see until settings.js changes them.
    stored = g.tenant
    page = render_template(
        "dashboard/settings.html",
        form=form,
        tenant=g.tenant,
        conflict=conflict,
        themes=THEMES,
        preview=appearance.preview_document(stored, stored.theme, stored.code_style),
        style_map=appearance.stylesheet_map(),
        icon_choices=thumbnails.cover_choices(form.icon_media_id.data),
        thumb_url=thumbnails.choice_url,
    )
    return page, status
