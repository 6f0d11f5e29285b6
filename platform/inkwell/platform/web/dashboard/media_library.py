"""A blog's media library (/blogs/<subdomain>/media/, see blog_scope): every image
newest first, as a grid of thumbnails, each with its alt text (editable), its
Markdown to copy into a post, the posts that use it (in their text or as their
cover, each a link to its editor), and delete, whose warning names those posts.
Uploading is `media`'s (POST /blogs/<subdomain>/media, from the editor).

Any member sees the library; owners and editors change every image, authors the
ones they uploaded (as with posts). Deleting an image used by posts renders them
again with a visible "image not found" note, and drops it as their cover.
"""

from dataclasses import dataclass, field

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core.content import blog_icons, covers
from inkwell.platform.core.extensions import db
from inkwell.platform.core.media import library
from inkwell.platform.core.models import Media, Post, Tenant
from inkwell.platform.core.template_filters import plural
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint
from inkwell.platform.web.dashboard.thumbnails import thumb_url
from inkwell.platform.web.forms import MediaAltForm

bp = blog_blueprint("media_library", __name__, "/media")

STATES = {"processing": "Being processed…", "failed": "Processing failed"}


@dataclass
class Item:
    """One image as the library page shows it."""

    media: Media
    posts: list[Post] = field(default_factory=list)  # by title, covers among them
    cover_of: set[int] = field(default_factory=set)  # ids of the posts it is the cover of

    @property
    def changeable(self) -> bool:
        return may_change(self.media)

    @property
    def markdown(self) -> str:
        return library.markdown_reference(self.media)

    @property
    def thumb_url(self) -> str:
        return thumb_url(self.media)

    @property
    def state_text(self) -> str:
        return self.media.message or STATES.get(self.media.state, "")

    @property
    def delete_warning(self) -> str:
        name = f"Delete {self.media.name}?"
        if not self.posts:
            return f"{name} No post uses it. This cannot be undone."
        titles = ", ".join(f"“{post.title}”" for post in self.posts)
        return (
            f"{name} It is used by {plural(len(self.posts), 'post')}: "
            f"{titles}. They will show “image not found” in its place. This cannot be undone."
        )


def may_change(media: Media) -> bool:
    """Owners and editors change every image; authors the ones they uploaded."""
    return g.role in ("owner", "editor") or media.created_by_id == current_user.id


def changeable_media(media_id: int) -> Media:
    media = db.get_or_404(Media, media_id)
    if not may_change(media):
        abort(403, "Authors can change only the images they uploaded.")
    return media


def library_items() -> list[Item]:
    """Every image of the current blog, newest first, with the posts using it."""
    items = {m.id: Item(m) for m in db.session.scalars(select(Media).order_by(Media.id.desc()))}
    for media_id, posts in library.media_in_use(g.tenant).items():
        if media_id in items:
            items[media_id].posts.extend(posts)
    for post in covers.posts_with_covers():
        item = items.get(post.cover_media_id or 0)
        if item is None:
            continue
        item.cover_of.add(post.id)
        if post not in item.posts:
            item.posts.append(post)
            item.posts.sort(key=lambda p: p.title)
    return list(items.values())


@bp.get("/")
def index() -> str:
    return render_template(
        "dashboard/media.html",
        tenant=g.tenant,
        items=library_items(),
        alt_form=MediaAltForm(),
        alt_max=library.ALT_MAX,
    )


@bp.post("/<int:media_id>/alt")
def change_alt(media_id: int) -> Response:
    media = changeable_media(media_id)
    form = MediaAltForm()
    if not form.validate_on_submit():
        abort(400, "; ".join(error for errors in form.errors.values() for error in errors))
    library.set_alt(media, form.alt.data or "")
    db.session.commit()
    flash(f"Saved the alt text of {media.name}. Posts keep the words they were written with.")
    return redirect(url_for("media_library.index", _anchor=f"media-{media.id}"))


@bp.post("/<int:media_id>/delete")
def delete(media_id: int) -> Response:
    media = changeable_media(media_id)
    tenant = db.session.get_one(Tenant, g.tenant.id)
    name = media.name
    covered = covers.drop_cover(tenant, media.id)
    was_icon = blog_icons.drop_icon(tenant, media.id)
    used = {post.id: post for post in [*library.delete_media(tenant, media), *covered]}
    db.session.commit()
    titles = ", ".join(f"“{post.title}”" for post in used.values())
    icon = " It was the blog's icon: pages show the default one now." if was_icon else ""
    flash(f"Deleted {name}." + (f" Posts that used it: {titles}." if titles else "") + icon)
    return redirect(url_for("media_library.index"))
