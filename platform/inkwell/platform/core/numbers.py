"""Numbers from paths and query strings, bounded before they reach a query.

An id or page number past 64 bits failed in the database driver (SQLite cannot
bind it; PostgreSQL refuses an OFFSET past BIGINT), and one of thousands of digits
failed in int() itself: a 500 either way. Every number a request names is held to
MAX_INT, the largest SQL INTEGER, which is the type of every id column (no row can
have a larger id) and, as a page number, keeps its OFFSET within a BIGINT.

`<int:...>` in any route of either app is `BoundedInt` (registered by the base
factory), so a number out of range does not match the route: 404. Query strings
and forms go through `parse_int`, or `query_int`, which answers 404 for a value
that is not a number in range.
"""

from flask import abort, request
from werkzeug.routing import IntegerConverter, Map, ValidationError

MAX_INT = 2**31 - 1
_MAX_DIGITS = len(str(MAX_INT))


def parse_int(text: str, low: int = 0, high: int = MAX_INT) -> int | None:
    """`text` as a decimal number in [low, high], or None. ASCII digits only: no sign,
    spaces, underscores or other scripts' digits, all of which int() would take."""
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > _MAX_DIGITS:
        return None
    number = int(text)
    return number if low <= number <= high else None


def query_int(name: str, default: int, low: int = 1) -> int:
    """The query-string number `name` (absent or empty: `default`); 404 when it is
    not a number from `low` to MAX_INT, as a path's number out of range is."""
    text = request.args.get(name, "")
    if not text:
        return default
    number = parse_int(text, low)
    if number is None:
        abort(404)
    return number


class BoundedInt(IntegerConverter):
    """`<int:...>`: ASCII digits naming a number from 0 to MAX_INT; anything else does
    not match the rule. It takes no arguments: a rule that gives some fails at startup."""

    regex = "[0-9]+"  # \d would match other scripts' digits too

    def __init__(self, map: Map) -> None:  # no min, max, signed: to_python bounds it
        super().__init__(map)

    def to_python(self, value: str) -> int:
        number = parse_int(value)
        if number is None:
            raise ValidationError()
        return number
