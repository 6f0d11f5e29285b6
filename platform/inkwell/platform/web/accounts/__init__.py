"""The account pages on the platform host: signup, login and logout (`auth`, with
`logins`), email verification (`verification`), password reset (`password_reset`),
the invitee's side of an invitation (`invitations`), and a user's own account page
(`account`: password, address, logins, deletion) with two-factor sign-in
(`two_factor`). The rules of accounts themselves are in `inkwell.platform.core.accounts`.

Nothing here tells a stranger whether an address has an account. Signup answers
alike either way: both land on the login page with "check your inbox", and a known
address gets a "someone tried to sign up" mail instead of an account, after as much
work (a password hash) as a new account costs. A reset request answers the same
page and status, taking at least ACCOUNT_MAIL_MIN_SECONDS. Login says "wrong email
or password" (a short password too: the form checks no minimum length), and says an
account is disabled (403) only after the right password. A new address on the
account page gets the same answer whether or not another account has it.

Signup makes the user, the blog, its primary domain and the owner's membership in
one transaction. The blog address is checked first, so its answer never depends on
the email; a concurrent signup that took the address first gets "just taken" (409).
A blog made at signup records its signup network and starts quarantined
(QUARANTINE_NEW_BLOGS). The verification link logs in; until then a blogger can
save drafts, and the editor refuses to publish or schedule (403, the text kept).

Mailed reset and invitation links move their token into the session and redirect
to a URL without it, so the token never sits in history, logs or a Referer. An
invitation link that is expired, used or withdrawn answers 410 saying which; an
unknown one, 404.

Sessions are Flask-Login's, and each login is also a `login_sessions` row (`logins`):
the login id is `<id>:<session_epoch>:<session key>`, and the loader drops an older
epoch, a disabled account or a key whose row is gone (signed out from the account
page, or ended by a new password). With two-factor sign-in, the right password
leads to /login/code, and only a code (or a recovery code, once) logs in. Cookies
are host-only, HttpOnly and SameSite=Lax, and `Secure` with a `__Host-` name under
https (`core.config`). After login, `next` redirects only to a path on this site.
Every unsafe request carries a CSRF token, which does not expire while the session
lives. Wrong codes are throttled per account as wrong passwords are.

Rate limits (`web.rate_limits.limited`: Flask-Limiter, keyed by client address)
guard the POSTs of login, signup, reset request and redemption, resending the
verification link, invitations and their acceptance. Login is also throttled per
account (`web.login_throttle`): consecutive wrong passwords for one address, from
any client, make its next attempt wait longer and longer (capped, never a lockout);
a success or a password reset forgets them. Counters live in Redis, or in memory
when it is not configured or is down; past a limit the answer is 429 with
Retry-After. RATE_LIMITS_ENABLED switches them per app.
"""
