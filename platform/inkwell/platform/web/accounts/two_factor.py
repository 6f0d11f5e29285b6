"""Two-factor sign-in: turning it on and off (from the account page), and the
login's second step. The rules of codes are in `core.accounts.two_factor`.

Turning it on: the page shows a new secret as a QR code (inline SVG, drawn here
from the `otpauth://` URI) and as text; the secret waits in the session until a
code from it is confirmed, then becomes the account's and the ten recovery codes
are shown, once (`Cache-Control: no-store`). Turning it off takes the password and
a code (or a recovery code).

Wrong codes count like wrong passwords (`web.login_throttle`, per account): a
guesser who has the password still cannot try codes quickly. `check_identity` is
the one check of "password, and a code when two-factor sign-in is on" that the
account page's grave actions share.
"""

import io

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from inkwell.platform.core.accounts import two_factor
from inkwell.platform.core.accounts.passwords import check_password
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import User
from inkwell.platform.web import login_throttle
from inkwell.platform.web.accounts import logins
from inkwell.platform.web.accounts.auth import throttled
from inkwell.platform.web.forms import CodeForm, CredentialsForm
from inkwell.platform.web.rate_limits import limited

bp = Blueprint("two_factor", __name__)
ENROL_KEY = "totp_enrol_secret"
WRONG_CODE = "That code is not right, or was used already. Try the next one your app shows."


@bp.route("/login/code", methods=["GET", "POST"])
@limited("RATE_LIMIT_LOGIN")
def login_code() -> Response | tuple[str, int] | str:
    pending = logins.pending_user()
    if pending is None:
        flash("Please log in again: the time for the code ran out.", "error")
        return redirect(url_for("auth.login"))
    user, login = pending
    form = CodeForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/login_code.html", form=form), status
    if not check_code(user, form.code.data, url_for("two_factor.login_code")):
        form.code.errors.append(WRONG_CODE)
        return render_template("auth/login_code.html", form=form), 401
    db.session.commit()  # the step or recovery code is used up
    logins.log_in(user, remember=bool(login.get("remember")))
    left = two_factor.recovery_codes_left(user)
    if left < two_factor.RECOVERY_CODES // 2:
        flash(f"You have {left} recovery codes left: make new ones on your account page.")
    return redirect(login.get("next") or url_for("dashboard.home"))


def check_code(user: User, code: str, back_url: str) -> bool:
    """Whether `code` lets `user` in (using it up), counting wrong ones per account;
    answers 429 while the account must wait."""
    key = f"two-factor:{user.id}"
    if wait := login_throttle.seconds_to_wait(key):
        abort(make_response(throttled(wait, back_url, codes=True)))
    if two_factor.check(user, code):
        login_throttle.forget(key)
        return True
    login_throttle.login_failed(key)
    return False


def check_identity(form: CredentialsForm, back_url: str, with_code: bool = True) -> bool:
    """Whether the form's password (and, `with_code`, a code when two-factor sign-in is
    on) are the current user's; a wrong one gets its error on the form. Wrong
    passwords count toward the account's login throttle."""
    user = current_user._get_current_object()
    if wait := login_throttle.seconds_to_wait(user.email):
        abort(make_response(throttled(wait, back_url)))
    if not check_password(user.password_hash, form.current.data):
        login_throttle.login_failed(user.email)
        form.current.errors.append("That is not your password.")
        return False
    login_throttle.forget(user.email)
    if not (with_code and user.two_factor):
        return True
    if not form.code.data:
        form.code.errors.append("Enter a code from your app, or a recovery code.")
        return False
    if not check_code(user, form.code.data, back_url):
        form.code.errors.append(WRONG_CODE)
        return False
    return True


@bp.route("/account/two-factor", methods=["GET", "POST"])
@limited("RATE_LIMIT_LOGIN")
@login_required
def enrol() -> Response | tuple[str, int] | str:
    if current_user.two_factor:
        flash("Two-factor sign-in is on already.")
        return redirect(url_for("account.index"))
    secret = session.get(ENROL_KEY) or two_factor.new_secret()
    session[ENROL_KEY] = secret
    form = CodeForm()
    if not form.validate_on_submit():
        return _enrol_page(secret, form), 400 if form.is_submitted() else 200
    codes = two_factor.enable(current_user, secret, form.code.data)
    if codes is None:
        form.code.errors.append(
            "That code is not the one your app shows for this key. Check that the app added "
            "the account above and that the phone's clock is right, then try the newest code."
        )
        return _enrol_page(secret, form), 400
    db.session.commit()
    session.pop(ENROL_KEY, None)
    return _recovery_codes_page(codes)


@bp.post("/account/two-factor/recovery-codes")
@limited("RATE_LIMIT_LOGIN")
@login_required
def new_recovery_codes() -> Response | tuple[str, int] | str:
    form = CredentialsForm()
    if not current_user.two_factor:
        abort(409, "Two-factor sign-in is off: there are no recovery codes to replace.")
    if not (form.validate_on_submit() and check_identity(form, url_for("account.index"))):
        flash("New recovery codes need your password and a code.", "error")
        return redirect(url_for("account.index") + "#two-factor")
    codes = two_factor.new_recovery_codes(current_user)
    db.session.commit()
    return _recovery_codes_page(codes)


@bp.post("/account/two-factor/disable")
@limited("RATE_LIMIT_LOGIN")
@login_required
def disable() -> Response | tuple[str, int] | str:
    form = CredentialsForm()
    if not current_user.two_factor:
        flash("Two-factor sign-in is off already.")
        return redirect(url_for("account.index"))
    if not (form.validate_on_submit() and check_identity(form, url_for("account.index"))):
        return render_template("auth/two_factor_disable.html", form=form), 400
    if current_user.is_admin and current_app.config["ADMIN_REQUIRE_2FA"]:
        abort(409, "Platform admins must keep two-factor sign-in on.")
    two_factor.disable(current_user)
    db.session.commit()
    flash("Two-factor sign-in is off: your password alone logs you in now.")
    return redirect(url_for("account.index"))


def _enrol_page(secret: str, form: CodeForm) -> str:
    uri = two_factor.provisioning_uri(secret, current_user.email)
    return render_template(
        "auth/two_factor_enrol.html", form=form, qr=qr_svg(uri), secret=_grouped(secret), uri=uri
    )


def _recovery_codes_page(codes: list[str]) -> Response:
    response = make_response(render_template("auth/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"  # shown once: never from a cache
    return response


def qr_svg(text: str) -> Markup:
    """`text` as a QR code, an inline SVG that scales to its box (no size of its own)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True, border=2,
        svgclass="qr", lineclass=None, dark="#000", light="#fff",
    )  # fmt: skip
    return Markup(out.getvalue().decode())  # noqa: S704 - segno's own SVG of our URI


def _grouped(secret: str) -> str:
    """The secret in groups of four, as people type it into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
