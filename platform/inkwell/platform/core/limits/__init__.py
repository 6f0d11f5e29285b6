"""Limits on what a blog holds and does (`quotas`), and what it uses (`usage`).

Platform defaults are settings QUOTA_*; a blog's `quotas` row overrides any of them,
column by column. Admins set them in the console (/admin/quotas/) or with `inkwell
quotas show|set`; a change is audited as "quota.set" with the old and new overrides,
and one that changes nothing records nothing.

Checks run before the work and raise `QuotaExceeded`, with a message for the
blogger: 403 for what a blog holds (posts, snippets, stored bytes), 429 for rates
(publishes per hour, mails per day). A refused save, import, publish or invitation
leaves nothing behind.

- Holdings: a save or a whole import loads the blog's usage once (`Budget`);
  `save_post` and `save_snippet` call its `charge(bytes added)` after rendering and
  before touching the row. Bytes are UTF-8 bytes of the Markdown and rendered HTML
  of posts and the code and highlighted HTML of snippets (`usage.byte_length`, the
  same on SQLite and PostgreSQL), and the texts of post revisions (their stored
  `size`: a save's charge includes the revision it keeps); shrinking is always
  allowed. An import stops at the first file over a limit: the files before it
  stay, each post whole, and the rest are reported as not imported.
- Publishes per hour count the blog's `publish_runs` of the last hour. The
  dispatcher (`publishing.mirrors.to_dispatch`) skips a blog at its limit, leaving
  its request open until the hour allows it; the worker's follow-up loop stops
  there; the dashboard's "Publish mirror" refuses, and the mirror page says when a
  held publish can start. `inkwell publish`, an operator's, is not limited.
- Mails per day count the blog's invitations of the last 24 hours (replaced and
  revoked ones were mailed too). Account mails belong to the user and count toward
  no blog.

The dashboard's posts page shows members their usage against each limit (`report`).
"""
