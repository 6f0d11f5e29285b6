"""A reader's email subscription, on the platform host (the site app only reads):
subscribe (the form on every blog page and mirror), confirm, unsubscribe.

The subscribe form arrives cross-site and carries no CSRF token, so it is let
through `security`'s cross-site refusal and CSRFProtect on purpose: it changes
nothing until the mailed link is opened (`core.newsletter.subscribers`), and is
rate-limited per client (RATE_LIMIT_SUBSCRIBE) and per address across blogs
(RATE_LIMIT_SUBSCRIBE_ADDRESS). Its answer is the same whether the address is new,
waiting or subscribed. Confirming takes a click on the linked page (a mail
scanner opening links confirms nothing). Unsubscribing is one POST to the link,
without session or token, as mail clients send it (RFC 8058).
"""

from collections.abc import Callable
from uuid import UUID

from flask import Blueprint, abort, render_template, request
from sqlalchemy.exc import IntegrityError

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import csrf, db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.limits.quotas import QuotaExceeded
from inkwell.platform.core.models import Subscriber, Tenant
from inkwell.platform.core.newsletter import subscribers
from inkwell.platform.core.newsletter.sends import mails_for
from inkwell.platform.web.rate_limits import limited

bp = Blueprint("subscriptions", __name__, url_prefix="/newsletter")

# Views another site's page may POST to (`security`): the form and one-click unsubscribe.
CROSS_SITE_ENDPOINTS = frozenset({"subscriptions.subscribe", "subscriptions.unsubscribe"})

NOT_FOUND = (
    "This link does not lead to a subscription: it may be for another blog, "
    "incomplete, or the address was removed from the list."
)


def _address_key() -> str:
    return "subscribe:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.post("/<uuid:blog>/subscribe")
@csrf.exempt
@limited("RATE_LIMIT_SUBSCRIBE")
@limited("RATE_LIMIT_SUBSCRIBE_ADDRESS", key=_address_key)
def subscribe(blog: UUID) -> tuple[str, int]:
    tenant = db.session.scalar(db.select(Tenant).where(Tenant.uuid == blog))
    if not mails_for(tenant):
        abort(404, "There is no such blog, or it takes no subscriptions now.")
    try:
        subscribers.subscribe(tenant, request.form.get("email", ""))
        db.session.commit()
    except subscribers.AddressError as error:
        db.session.rollback()
        return _page(tenant, "That address cannot be used", str(error)), 400
    except QuotaExceeded:
        db.session.rollback()
        return _page(tenant, "Try again later", "This blog cannot send more mail today."), 429
    except IntegrityError:  # the same address sent twice at once: the other one mails
        db.session.rollback()
    message = (
        "If this address is not subscribed yet, a mail is on its way to it with a link "
        "to confirm. Nothing is sent to it before the link is opened."
    )
    return _page(tenant, "Check your inbox", message), 200


@bp.route("/<uuid:blog>/confirm/<token>", methods=["GET", "POST"])
def confirm(blog: UUID, token: str) -> str:
    tenant, subscriber = _find(blog, token)
    if request.method == "POST" or subscriber.status == "confirmed":
        _change(tenant, subscriber, subscribers.confirm)
        return _page(tenant, "You are subscribed", "New posts of the blog come to this address.")
    question = f"Send new posts of {tenant.title} to {subscriber.email}?"
    return _page(tenant, "Confirm your subscription", question, action="Confirm", form="confirm")


@bp.route("/<uuid:blog>/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(blog: UUID, token: str) -> str:
    tenant, subscriber = _find(blog, token)
    if request.method == "POST":
        _change(tenant, subscriber, subscribers.unsubscribe)
        return _page(tenant, "You are unsubscribed", "No more posts are mailed to this address.")
    question = f"Stop sending posts of {tenant.title} to {subscriber.email}?"
    return _page(tenant, "Unsubscribe", question, action="Unsubscribe", form="unsubscribe")


def _change(tenant: Tenant, subscriber: Subscriber, change: Callable[[Subscriber], object]) -> None:
    with tenancy.tenant_scope(tenant.id):
        change(subscriber)
        db.session.commit()


def _find(blog: UUID, token: str) -> tuple[Tenant, Subscriber]:
    found = subscribers.by_token(blog, token)
    if found is None:
        abort(404, NOT_FOUND)
    return found


def _page(tenant: Tenant, heading: str, message: str, **form: str) -> str:
    return render_template(
        "subscriptions/page.html",
        tenant=tenant,
        heading=heading,
        message=message,
        blog_link=blog_url(tenant),
        **form,
    )
