"""Times as exports write them, read as timezone-aware UTC."""

from datetime import UTC, datetime

# Below this a number is seconds since 1970, above it milliseconds (Ghost's older
# exports): 10^11 seconds is the year 5138.
_MILLISECONDS_FROM = 10**11


def parse_time(value: object) -> datetime | None:
    """`value` (ISO 8601, "2025-06-30 15:31:36", or seconds or milliseconds since
    1970) as an aware datetime, UTC where it names no offset; None if empty.
    ValueError, naming the value, if it is no time."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"“{value}” is not a time")
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _MILLISECONDS_FROM else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"“{value}” is not a time") from None
    text = str(value).strip()
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text[:40]}” is not a time") from None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)
