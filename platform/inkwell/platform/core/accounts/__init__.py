"""Accounts: who may log in, and who works on which blog.

`registration` is the one way users and blogs are made: signup, an invitation's new
account, `inkwell blogs create`, `inkwell users create` and the demo. A signup adds
the user, the blog, its primary domain and the owner's membership in one
transaction, so there is never a user without the blog they signed up for, nor a
blog without an owner; of two concurrent signups for one email or one subdomain,
the second fails on the unique constraint. `check_subdomain` folds what was typed
(NFKC, lowercase), applies `validation`'s rules (3 to 30 of `[a-z0-9-]`, no `--`,
not reserved), which forms and the CLI share, and refuses a subdomain that is
taken, or held after a purge (saying until when).

Email addresses are stored as `validation.normalize_email` gives them (trimmed, NFC,
lowercase, the domain in ASCII A-labels), and every way in (signup, login, reset,
invitations, the CLI) looks them up in that form, so `ann@bücher.example` and
`ann@xn--bcher-kva.example` are one account. Migration 0012 rewrote older rows; it
refuses, changing nothing, where two accounts turn out to be one address.

Passwords (`passwords`) are Argon2id. Forms take 8 to 1024 characters
(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH) and check that before hashing, since the
KDF's cost grows with the input; the module refuses anything past 4096 whatever a
caller allows. A login for an address with no account is checked against a dummy
hash, so "no such user" takes as long as "wrong password".

A user's login id is `<id>:<session_epoch>:<session key>` (`User.get_id`): a password
reset or change, or an admin disabling the account, bumps the epoch, so every session
and remember-me cookie of the user stops loading at once. `login_sessions` keeps a row
per login (the key's hash, device, truncated address, last seen), so one can be
signed out alone. `two_factor`: TOTP codes that work once each (the last step used is
stored), and ten recovery codes kept as keyed hashes.

`tokens` makes the single-use, expiring links mailed to people (verification,
password reset, invitations): only a nonce and the token's hash are stored, so the
outbox carries ids, never tokens, and redemption is one UPDATE that one racer wins.

`team`: owners change members' roles and remove members; a blog always keeps an
owner. `invitations`: an owner invites an address with a role, and the invitation
and its mail's outbox row commit together. Inviting the address again replaces its
open invitation (the old link dies); inviting a member is refused, with no mail. A
blog has at most INVITATIONS_MAX_PENDING (20) open invitations, and each one counts
toward its mails per day (`limits.quotas`), so a blog cannot be used to mail many
strangers. A link works for INVITATION_HOURS (7 days). Accepting is one UPDATE that
also requires the invited address: of racing accepts one wins, and never for
another account. An account made from an invitation is verified (the link proves
the mailbox) and a member of that blog only.
"""
