"""The bloggers' dashboard: the list of one's blogs (`home`) and, inside each blog,
its posts (`editor`), images (`media`), snippets, team, mirror, export and import.

Every area inside a blog is a `blog_scope.blog_blueprint` under
/blogs/<subdomain>/: its before_request checks the membership and enters the
blog's tenant scope, so views never see another blog's rows (an id of another
blog is a 404). Logged out, a page goes to the login form and a script's JSON
request gets a 401 it can explain. While an admin has the blog suspended or
deleted, its members see the reason on every page and can read and export, and
every unsafe request answers 403 with that reason.

Roles: authors edit their own posts, editors all posts, owners also the blog's
settings and its team; owners and editors export, import (with a confirmed
address: an import can publish; `imports` previews, then applies on confirmation)
and publish the mirror; any member manages snippets (they have no author and no
drafts).

The editor saves through `content.posts` (`commit_retrying`), with the blog's
quotas charged before anything changes (a refusal shows on the form, the text
kept); a blogger who has not confirmed their address saves drafts only. The page
previews through the same rendering pipeline (`POST .../preview`), shown in a
sandboxed iframe with the blog's own stylesheets, and autosaves drafts
(`.../autosave`; a published post is saved only with the Save button). Both answer
JSON errors (401 logged out, 400 invalid or CSRF, 409 not a draft, 403 or 429 a
quota) that the page shows while keeping the text, which it also backs up in
`localStorage` (title, tags, excerpt and body, until a save succeeds; offered back
after a conflict, a logout or a crash). Saves carry the revision the page started
from: one from an older revision answers 409 with the conflict view
(`edit_conflicts`: stored and sent text side by side, the sent text kept in the
form on the stored revision, so the merged save goes through), as JSON with the
same view for autosave; the settings form likewise between owners. The editor
also beats every 20 s (`.../presence`) and shows who else has the post open.
The posts page shows members the blog's usage against each limit.

Images: the editor uploads files dropped on the body, pasted into it or chosen
with its picker (`media`, POST .../media, JSON; static/editor_media.js shows each
upload's progress and puts `![alt](media:<id>)` where the cursor was, or keeps the
text as it was and shows the server's sentence), and picks the post's cover from
the newest images or a file uploaded there. The media library (`media_library`)
shows every image with its alt text (editable), its Markdown to copy and the posts
using it, and deletes one after a warning naming them.

The history page (`history`) lists a post's revisions (who, when, how, size, and
what the history takes), compares one with the post word by word and restores it
(a revision of its own); members see the history of the posts they may edit. Its
"Deleted posts" page, owners only, brings a deleted post back as a draft.

A slug the writer typed that is taken is a form error (409, the text kept); the
editor lists the post's old addresses and removes one on request. The tags page
(`tags`, owners and editors) lists tags with their posts and addresses and renames
one (case included), moves its address (the old one redirects) or, only when
asked, merges it into the tag of its new name.

The team page (`team`, owners only for changes) changes roles, removes members
(a blog keeps an owner), invites an address with a role (rate-limited by
RATE_LIMIT_INVITE; the mail goes through the outbox) and lists and revokes open
invitations. The mirror page (`mirror`) shows where the mirror is, the "Publish
mirror" button (refused past the blog's publishes per hour, saying when the next
can start), the running publish's progress polled as `status.json`, and past
publishes. Nothing in the dashboard is cached.

Images (`media`): any member uploads one (`POST .../media`, multipart, from the
editor's scripts; every answer JSON, errors included), checked and kept by
`core.media`; members see the blog's image files on this host too
(`.../media/<file>`), which the editor's preview links to.
"""
