"""Blogs' time zones: every time is stored in UTC, and each blog has an IANA zone
(`tenants.time_zone`, "UTC" unless its owner chose another) in which its pages,
feeds and dashboard show times and its editor takes them.

A local time is ambiguous or missing once a year where clocks change: `to_utc`
refuses a time that does not exist there (the hour skipped in spring) and takes
the earlier of two that do (the hour repeated in autumn), and the editor says so.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

DEFAULT = "UTC"
NAME_MAX = 64  # the column's length; the longest IANA name has 32 characters


@cache
def zone_names() -> frozenset[str]:
    """Every zone a blog may have: the IANA names of this system's database but
    "localtime" and "Factory", which name no place."""
    return frozenset(available_timezones() - {"localtime", "Factory"})


@cache
def zone_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The zones grouped by region ("Europe", "America"...; names without one
    under "Other"), regions and names sorted: a select's option groups."""
    groups: dict[str, list[str]] = {}
    for name in sorted(zone_names()):
        region = name.split("/", 1)[0] if "/" in name else "Other"
        groups.setdefault(region, []).append(name)
    return tuple((region, tuple(names)) for region, names in sorted(groups.items()))


def zone_problem(name: str) -> str | None:
    """Why `name` cannot be a blog's time zone, or None."""
    if name not in zone_names():
        return "Choose a time zone from the list, such as Europe/Paris or Asia/Tokyo."
    return None


def zone(name: str) -> ZoneInfo:
    """The zone named `name`; UTC for a name the system does not know (any longer)."""
    return ZoneInfo(name if name in zone_names() else DEFAULT)


def local(moment: datetime, name: str) -> datetime:
    """`moment` (aware) as the clocks of zone `name` show it, with their offset."""
    return moment.astimezone(zone(name))


class MissingLocalTime(ValueError):
    """A local time the clocks skip; the message says so, for the writer."""


@dataclass(frozen=True)
class Resolved:
    moment: datetime  # in UTC
    ambiguous: bool  # the clocks showed that time twice; `moment` is the first


def to_utc(wall: datetime, name: str) -> Resolved:
    """The moment when the clocks of zone `name` showed `wall` (naive). Raises
    MissingLocalTime for a time they skip; of two, the earlier."""
    tz = zone(name)
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    moment = first.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != wall:
        raise MissingLocalTime(
            f"There is no {wall:%H:%M} on {wall:%Y-%m-%d} in {name}: the clocks go forward "
            "then. Choose another time."
        )
    return Resolved(moment, ambiguous=first.utcoffset() != second.utcoffset())


def ambiguity_note(moment: datetime, name: str) -> str:
    """What the writer is told when their time was shown twice: which one we took."""
    shown = local(moment, name)
    return (
        f"{shown:%H:%M} on {shown:%Y-%m-%d} happens twice in {name} (the clocks go back); "
        f"the post takes the first one, {shown:%H:%M %Z} (UTC{shown.isoformat()[-6:]})."
    )
