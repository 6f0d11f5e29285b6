"""What platform admins do to blogs and accounts, and what they see to decide.

The console (`inkwell.platform.web.admin`, /admin/ on the platform host) and the
commands (`inkwell tenants|users|audit|quotas|jobs`) both go through these
functions. Each action adds its `audit` entry (who, from where, what, to which blog
or user by id and by name at the time, details) in the action's own transaction,
and the ORM refuses to change or delete entries; `audit_search` filters the log by
actor, action, target type, target and UTC days for `/admin/audit/` and `inkwell
audit`. The schema keeps what admins manage: a blog's status and reason and their
date, `purge_after`, the status before a delete, `quarantined_at` and
`signup_network`; a user's `disabled_at`; `subdomain_holds`; per-blog `quotas`.

Blogs change state through `lifecycle`, one function per action, each adding its
audit entry; every change of status or quarantine bumps `content_version`, so
cached pages and validators drop at once:

    active ─suspend(reason)─► suspended ─restore─► active
    active|suspended ─delete(reason)─► deleted, purge_after = now + TENANT_DELETE_GRACE_DAYS
    deleted ─restore─► the status and reason before the delete (before_delete_*):
        a suspended blog deleted by mistake comes back suspended, not online
    deleted ─purge (an admin at once, or purge_due every TENANT_PURGE_INTERVAL)─►
        files in every storage area ─► Redis keys *<uuid>* (SCAN) ─► every row
        with its tenant_id, then the tenant ─► subdomain_holds for TENANT_HOLD_DAYS;
        the audit entries stay

- A blog that is not active answers 410 with a neutral page and `Cache-Control:
  no-store` before any view or cache runs (`inkwell.tenants.hosts` and `blog`). The
  fast path only answers for active blogs, so nothing comes from the page cache,
  though a web process may serve its pages for up to TENANT_LOOKUP_TTL (1 s), as
  with any change. Its mirror stops publishing, and stays where it is until a
  purge. Its members see the status and reason on every dashboard page and can
  read and export; every unsafe request there answers 403 with the reason.
- `purge` removes files and cache entries first (each storage target clears the
  blog's root; a folder drops itself); if that fails the rows stay and the next
  round, or the admin, tries again. The rows part is `lifecycle.purge_rows`, with
  an explicit delete per table, children first (SQLite does not enforce ON DELETE
  CASCADE). A held subdomain is refused to new blogs with the date the hold ends
  (`accounts.registration.check_subdomain`), as a taken one is: its old links and
  feeds must never reach someone else's blog.
- Abuse basics: a blog made at signup starts quarantined (QUARANTINE_NEW_BLOGS;
  operators' blogs do not); `lifecycle.quarantine` and `lift_quarantine` bump the
  version. Quarantine is apart from the status: the blog is served, but its pages
  say `noindex` instead of linking their feeds, `/sitemap.xml` answers 404 and
  robots.txt names no sitemap (crawling stays allowed, or crawlers could not read
  the `noindex`); the mirror's snapshot carries the flag, so its pages follow.
  `risk` computes signals when a page of blogs is shown: blogs from the same
  signup network (IPv4 address or IPv6 /64, `risk.network_of`; at least
  SIGNUP_RISK_SAME_NETWORK), names imitating staff or payment words (digits read
  as letters), owners who never confirmed their address. Signals only inform.
- An action on many blogs at once (the console's selection, the CLI's several
  names: `web.admin.tenants.bulk`) checks the reason once, then acts on and commits
  each blog alone with its own audit entry, so a refusal neither undoes nor stops
  the others. Republishing asks for a full publish of the mirror; re-rendering
  renders every post again and bumps the version.

Accounts change through `user_admin`: disable (sets `disabled_at` and bumps
`session_epoch`, ending every session and remember-me cookie), enable, grant and
revoke admin, start a password reset (the user's normal reset mail; the admin never
sees a link or a password). Each locks the account's row and checks its state first;
a state that does not allow the action raises `UserAdminError` (the console answers
409, a command one line and exit 1). One active admin always remains: revoking or
disabling the last is refused, and the active admins' rows are locked first, in id
order, so two admins revoking each other cannot both succeed. Admins may step down,
but not disable themselves. A disabled account is not `is_active`: login refuses it
(saying so only after the right password), the verification link does not log it
in, its sessions stop loading, and a password reset leaves it disabled.

A user deletes their own account through `account_deletion`: blogs they own alone go
through `lifecycle.delete` (restorable, then purged), memberships go, and the row is
anonymised and disabled rather than deleted (posts on blogs that stay keep their
author row; nothing cascades into tenant content); "user.delete" is audited.

`job_health` is what operators watch: queue lengths (`inkwell.workers.queues`),
outbox rows waiting and failed, active blogs whose newest publish failed (a failure
a later publish made good is history), each blog's publishes of the last 24 hours
(count, median, longest). Retrying an outbox row clears its `done_at`, error and
lease and hands it to the relay (audit "job.retry", target the invitation's blog or
the mail's user); retrying a publish requests one (audit "publish.retry").
"""
