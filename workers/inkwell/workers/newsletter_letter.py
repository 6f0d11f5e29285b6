"""What a subscriber receives: a post as a mail that stands on its own.

The HTML part is the post's stored HTML with every link and image made absolute
(on the blog's primary host, so images load in a mail client) and styles inline
(mail clients drop stylesheets); the plain-text part is the post's Markdown, its
link and image targets made absolute the same way (a relative one leads nowhere
from a mail).
Each message carries the subscriber's one-click unsubscribe link twice: in the
footer, and as `List-Unsubscribe` with `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` (RFC 8058), so the mail client offers its own button,
which POSTs there without any session.
"""

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from flask import current_app
from flask_mail import Message

from inkwell.platform.core.content.languages import direction
from inkwell.platform.core.hosts import app_url, blog_url, host_name
from inkwell.platform.core.mail import message
from inkwell.platform.core.models import Delivery, Post, Subscriber, Tenant
from inkwell.tenants.links import rewrite_links
from inkwell.workers.mail import render

# Inline styles for the elements a post's HTML holds (the sanitizer drops any style of its own).
STYLES = {
    "img": "max-width: 100%; height: auto;",
    "a": "color: #1d4ed8;",
    "pre": "overflow-x: auto; background: #f4f4f5; padding: 12px; border-radius: 6px;"
    " font-size: 14px; line-height: 1.45;",
    "code": "font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em;",
    "blockquote": "margin: 0 0 16px; padding-left: 16px; border-left: 3px solid #d4d4d8;"
    " color: #52525b;",
    "figure": "margin: 0 0 16px;",
    "table": "border-collapse: collapse;",
    "th": "border: 1px solid #d4d4d8; padding: 4px 8px;",
    "td": "border: 1px solid #d4d4d8; padding: 4px 8px;",
}
_TAG_RE = re.compile(r"<(" + "|".join(STYLES) + r")(?=[\s>/])")
_MEDIA_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(media:\d+[^)]*\)")
# A Markdown link's or image's target: inline, `](target`, or a reference, `[name]: target`.
_INLINE_TARGET_RE = re.compile(r"(\]\()([^)\s]+)")
_REFERENCE_TARGET_RE = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)(\S+)", re.M)
# A title or blog name goes into headers: no control characters, on one line.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Letter:
    """A post's mail, the same for every subscriber but the unsubscribe link."""

    tenant: Tenant
    post: Post
    html: str
    text: str
    post_url: str
    blog_url: str


def letter_for(tenant: Tenant, post: Post) -> Letter:
    post_url = blog_url(tenant, f"/{post.slug}/")
    body = rewrite_links(post.body_html, lambda url: urljoin(post_url, url))
    body = _TAG_RE.sub(lambda m: f'<{m[1]} style="{STYLES[m[1]]}"', body)
    text = _absolute_targets(
        _MEDIA_IMAGE_RE.sub(lambda m: f"[image: {m[1]}]", post.body_md), post_url
    )
    return Letter(tenant, post, body, text, post_url, blog_url(tenant))


def _absolute_targets(markdown: str, base: str) -> str:
    def absolute(found: re.Match[str]) -> str:
        return found[1] + urljoin(base, found[2])

    return _REFERENCE_TARGET_RE.sub(absolute, _INLINE_TARGET_RE.sub(absolute, markdown))


def one_line(value: str) -> str:
    """`value` fit for a header: control characters (line breaks) become spaces."""
    return _CONTROL_RE.sub(" ", value).strip()


def unsubscribe_url(tenant: Tenant, subscriber: Subscriber) -> str:
    return app_url(f"/newsletter/{tenant.uuid}/unsubscribe/{subscriber.token}")


def confirm_url(tenant: Tenant, subscriber: Subscriber) -> str:
    return app_url(f"/newsletter/{tenant.uuid}/confirm/{subscriber.token}")


def post_message(letter: Letter, delivery: Delivery, subscriber: Subscriber) -> Message:
    """The message of `delivery`: its Message-ID is the delivery's, so a repeat is
    recognisably the same mail."""
    tenant, unsubscribe = letter.tenant, unsubscribe_url(letter.tenant, subscriber)
    context = {
        "tenant": tenant, "post": letter.post, "body": letter.html, "text": letter.text,
        "post_url": letter.post_url, "blog_url": letter.blog_url,
        "unsubscribe_url": unsubscribe, "direction": direction(tenant.language),
    }  # fmt: skip
    host = host_name(current_app.config["APP_HOST"])
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"<{tenant.uuid}.{host}>",
        "Precedence": "bulk",
    }
    return message(
        subscriber.email,
        one_line(letter.post.title) or "A new post",
        render("mail/newsletter_post.txt", context),
        render("mail/newsletter_post.html", context),
        f"<newsletter.{delivery.id}@{host}>",
        sender_name=one_line(tenant.title),
        headers=headers,
    )


def confirm_message(tenant: Tenant, subscriber: Subscriber, outbox_id: int) -> Message:
    context = {
        "tenant": tenant, "subscriber": subscriber, "blog_url": blog_url(tenant),
        "link": confirm_url(tenant, subscriber),
    }  # fmt: skip
    host = host_name(current_app.config["APP_HOST"])
    return message(
        subscriber.email,
        f"Confirm your subscription to {one_line(tenant.title)}",
        render("mail/newsletter_confirm.txt", context),
        render("mail/newsletter_confirm.html", context),
        f"<outbox.{outbox_id}@{host}>",
        sender_name=one_line(tenant.title),
    )
