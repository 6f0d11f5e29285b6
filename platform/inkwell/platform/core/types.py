"""Column types that behave the same on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.types import TypeDecorator

from inkwell.platform.core import clock


def utcnow() -> datetime:
    """Now, in UTC, from the wall clock that tests may stop (`core.clock`)."""
    return datetime.fromtimestamp(clock.wall(), UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp; SQLite drops the zone, so restore it on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use inkwell.platform.core.types.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# A text-search configuration's name ('simple', 'english'): PostgreSQL's regconfig,
# which a generated tsvector may use (a text cast to regconfig is not immutable);
# elsewhere only a name.
SEARCH_CONFIG = String(64).with_variant(REGCONFIG(), "postgresql")
