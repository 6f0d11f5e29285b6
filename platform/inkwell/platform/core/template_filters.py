"""Jinja filters of every app (platform, site, mail): counts in words and times
in a blog's zone.

- `{{ n | plural("snippet") }}`: "1 snippet", "7 snippets" (`plural("entry",
  "entries")` where an "s" will not do).
- `{{ moment | time_tag(tenant.time_zone) }}`: a `<time>` element showing the
  moment as the blog's clocks do (a strftime pattern as a second argument; by
  default date, time and the zone's abbreviation), its `datetime` the same
  moment with that zone's exact offset, to the second (`stamp`, as feeds write
  it too): validators and feed readers refuse fractions of a second there.
- `{{ moment | rfc822(tenant.time_zone) }}`: the same moment as RSS 2.0 dates
  are written ("Tue, 02 Jan 2024 05:00:00 +0900").
- `{{ moment | local_time(tenant.time_zone) }}`: the text of such an element.
"""

from datetime import datetime
from email.utils import format_datetime

from flask import Flask
from markupsafe import Markup

from inkwell.platform.core.time_zones import local

DATE_AND_TIME = "%Y-%m-%d %H:%M %Z"  # %Z: "UTC", "JST", "PDT" ("+0530" where none is in use)


def init_app(app: Flask) -> None:
    app.add_template_filter(plural)
    app.add_template_filter(time_tag)
    app.add_template_filter(stamp)
    app.add_template_filter(rfc822)
    app.add_template_filter(local_time)


def plural(count: int, one: str, many: str | None = None) -> str:
    """`count` and the noun that goes with it."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def stamp(moment: datetime, zone_name: str) -> str:
    """`moment` in zone `zone_name` as a `datetime` attribute or a feed wants it."""
    return local(moment, zone_name).isoformat(timespec="seconds")


def rfc822(moment: datetime, zone_name: str) -> str:
    """`moment` in zone `zone_name` as an RSS `pubDate` (RFC 822, four-digit year)."""
    return format_datetime(local(moment, zone_name).replace(microsecond=0))


def local_time(moment: datetime, zone_name: str, pattern: str = DATE_AND_TIME) -> str:
    """`moment` as the clocks of zone `zone_name` show it."""
    return local(moment, zone_name).strftime(pattern)


def time_tag(moment: datetime, zone_name: str, pattern: str = DATE_AND_TIME) -> Markup:
    # Digits and month names read left to right even in a right-to-left line.
    return Markup('<time datetime="{}" dir="ltr">{}</time>').format(
        stamp(moment, zone_name), local_time(moment, zone_name, pattern)
    )
