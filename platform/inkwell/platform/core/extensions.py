"""The unbound extension singletons; each app binds them in its factory."""

from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from inkwell.platform.core.remember_me import KeyRotatingLoginManager

# Stable constraint names, so Alembic migrations name what they create and
# can drop it again on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
cache = Cache()
csrf = CSRFProtect()
login_manager = KeyRotatingLoginManager()
# Keyed by client address (behind a proxy, set PROXY_FIX so it is the real one).
limiter = Limiter(key_func=get_remote_address)
mail = Mail()
