"""Remember-me cookies that survive a secret key rotation.

Flask-Login checks the cookie's digest under SECRET_KEY only, so a rotation would
log out every remembered browser. Here a cookie made under a key of
SECRET_KEY_FALLBACKS is accepted too, and sent again under the current key in
the same response, so once the old key is dropped no remembered browser that
came back meanwhile is lost.
"""

from typing import Any

from flask import current_app, session
from flask_login import LoginManager
from flask_login.utils import decode_cookie, encode_cookie

from inkwell.platform.core.config import secret_keys


class KeyRotatingLoginManager(LoginManager):
    """Flask-Login's manager, reading remember-me cookies under every known key."""

    def _load_user_from_remember_cookie(self, cookie: str) -> Any:
        keys = secret_keys(current_app.config)
        for index, key in enumerate(keys):
            user_id = decode_cookie(cookie, key)
            if user_id is None:
                continue
            user = super()._load_user_from_remember_cookie(encode_cookie(user_id))
            if user is not None and index > 0:
                session["_remember"] = "set"  # Flask-Login re-signs it with SECRET_KEY
            return user
        return None
