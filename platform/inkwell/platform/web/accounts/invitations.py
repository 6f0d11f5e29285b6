"""The invitee's side of an invitation to a blog (the owner's is on `team`).

The mailed link moves its token into the session and redirects to a URL without
it, as a reset link does. What the page offers depends on who opens it:
- logged in as the invited address: a button that accepts;
- logged in as anyone else: a clear refusal (an invitation is for one address);
- logged out, and the address has an account: log in first, then accept;
- logged out, and no account: choose a password. That makes an account for the
  invited address, verified (the link proves the mailbox), member of the
  inviting blog and of no other: no blog of its own.
Accepting lands on that blog's dashboard.
"""

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from inkwell.platform.core.accounts import invitations, tokens
from inkwell.platform.core.accounts.invitations import InvitationError
from inkwell.platform.core.accounts.registration import AccountError
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Invitation, Tenant, User
from inkwell.platform.web.accounts import logins
from inkwell.platform.web.forms import ConfirmForm, NewPasswordForm
from inkwell.platform.web.rate_limits import limited

bp = Blueprint("invitations", __name__)
PATH = tokens.LINK_PATHS["invitation"]
SESSION_KEY = "invitation_token"


@bp.get(f"{PATH}<token>")
def take_token(token: str) -> Response:
    session[SESSION_KEY] = token
    return redirect(url_for("invitations.answer"))


@bp.route(PATH.rstrip("/"), methods=["GET", "POST"])
@limited("RATE_LIMIT_SIGNUP")
def answer() -> Response | tuple[str, int] | str:
    token = session.get(SESSION_KEY, "")
    invitation = invitations.find(token)
    if invitation is None:
        problem = invitations.problem(token)
        abort(404 if problem == invitations.NOT_FOUND else 410, problem)
    if not current_user.is_authenticated:
        if _account(invitation.email) is not None:
            title = invitation.tenant.title
            flash(f"Log in as {invitation.email} to accept the invitation to {title}.")
            return redirect(url_for("auth.login", next=url_for("invitations.answer")))
        form, act = NewPasswordForm(), _sign_up
    elif current_user.email != invitation.email:
        abort(
            403,
            f"This invitation is for {invitation.email}, and you are logged in as "
            f"{current_user.email}. Log out, then open the link in the mail again.",
        )
    else:
        form, act = ConfirmForm(), _accept
    if not form.validate_on_submit():
        return _render(invitation, form), 400 if form.is_submitted() else 200
    return act(invitation, token, form)


def _account(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _accept(invitation: Invitation, token: str, _form: ConfirmForm) -> Response:
    tenant = invitation.tenant
    try:
        _, joined = invitations.accept(token, current_user._get_current_object())
        db.session.commit()
    except (InvitationError, IntegrityError) as error:
        # Another accept (another tab, a double click) got there first.
        db.session.rollback()
        abort(409, str(error) if isinstance(error, InvitationError) else invitations.ACCEPTED)
    if joined:
        flash(f"Welcome to {tenant.title}: you are a member, as {invitation.role}.")
    else:
        flash(f"You were a member of {tenant.title} already; your role is unchanged.")
    return _done(tenant)


def _sign_up(invitation: Invitation, token: str, form: NewPasswordForm) -> Response:
    tenant = invitation.tenant
    try:
        user, _ = invitations.sign_up(token, form.password.data)
        db.session.commit()
    except (AccountError, InvitationError, IntegrityError) as error:
        db.session.rollback()
        if isinstance(error, InvitationError):
            abort(409, str(error))
        # The address got an account meanwhile (a concurrent accept, or a signup).
        flash(f"{invitation.email} has an account now: log in to accept the invitation.")
        return redirect(url_for("auth.login", next=url_for("invitations.answer")))
    logins.log_in(user)
    flash(f"Welcome to Inkwell and to {tenant.title}: you are a member, as {invitation.role}.")
    return _done(tenant)


def _render(invitation: Invitation, form: ConfirmForm | NewPasswordForm) -> str:
    return render_template(
        "auth/invitation.html",
        invitation=invitation,
        tenant=invitation.tenant,
        form=form,
        new_account=isinstance(form, NewPasswordForm),
    )


def _done(tenant: Tenant) -> Response:
    session.pop(SESSION_KEY, None)
    return redirect(url_for("editor.posts", subdomain=tenant.subdomain))
