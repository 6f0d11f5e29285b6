"""What bloggers write: posts and code snippets, rendered at save time, and the one
event that tells everyone that readers now see something else (`changes`).

Every way in (the editor, its autosave, imports, the API to come) first passes a
`PostInput` through `post_input.clean_post_input`: one set of limits and one stored
form (one-line titles, LF line endings, tabs kept in bodies, a published post
dated in the future scheduled for that date), `PostInputError` naming the field.

`posts` is the one way to change posts (the editor, imports, the demo), through
`PostInput` and `save_post`, which:

- strips the characters XML forbids (feeds must parse) and renders the Markdown,
  only when it or the renderer changed;
- keeps slugs unique per blog and never a path of the blog's own pages (`page`,
  `tags`, `snippets`, `assets`; About is an ordinary page): a slug made from the
  title (`slugs`, other scripts transliterated) gets `-2`, `-3`...; one the writer asked for that
  is taken raises `aliases.SlugTaken`, never a silent suffix;
- keeps a published post's old slug as an alias (`aliases`): the site answers it
  with a 301, and no other post takes it until it is removed;
- sets the tags (`tags`: a tag is its name, case aside; its slug is made once and
  only a rename moves it, the old one redirecting; at most 20, or `TagError`) and
  the schedule, and moves `content_updated_at` (Atom's `<updated>`) only on a real
  change;
- calls `charge(bytes added)`, a quota check, after rendering and before touching
  the row, so a refused save leaves nothing behind;
- reports a change readers see to `changes.content_changed`;
- keeps a revision of the result (`revisions`), naming the actor the caller passes
  (a member's email, "import", "scheduler"); `delete_post` keeps the post's
  revisions for the blog's delete grace period, so `restoring` can bring it back.

`diffs` shows a revision against the post word by word; `restoring` puts a
revision's text back or makes a deleted post again, through `save_post`;
`revision_retention` thins old autosaves and removes expired revisions (the
periodic job), its policy in its docstring.
- refuses, with `conflicts.EditConflict`, a save from an older `base_revision` than
  the post's `revision`, which every UPDATE of the row bumps as a compare-and-set,
  so two saves at once from one base never both win (blogs' settings:
  `conflicts.claim_settings`).

The caller commits; `commit_retrying` runs a save again when it lost a unique-key
race (slug, tag) to another.

Readers see only `public_posts()`: published, with `published_at` not in the future,
so drafts and scheduled posts are nowhere (site, feeds, mirrors); lists (index,
tags, feeds, recent posts) read `listed_posts()`, which leaves pages out. The order is
`NEWEST_FIRST`, `published_at DESC, id DESC`: ties broken, so pages and mirrors are
stable, and the index `(tenant_id, status, published_at, id)` yields it without a
sort.

A scheduled post is stored `status='scheduled'` with its time (a time in the past
means now). `publish_due()` flips the due ones across blogs, through a small partial
index (`ix_posts_due`), and reports each blog's change; its UPDATE takes only rows
still scheduled, so a late, repeated or concurrent tick publishes each post once. It
runs on celery beat every SCHEDULE_INTERVAL, or in `inkwell scheduler`, which
`make run` starts beside the web server.

`rendering` is the one pipeline: Python-Markdown (fenced code, tables, footnotes,
toc, codehilite with classes; tabs inside fenced code stay tabs) into an nh3
allowlist (no script, style, iframe, form, svg or math; no `on*` or `style`
attributes; only http, https and mailto links, with `rel="noopener noreferrer"`). It
runs at save time and the HTML is stored with RENDERER_VERSION: pages never render
Markdown, and `rerender_posts` (`inkwell posts rerender`) brings rows of an older
version up to date. The editor's preview goes through it too. `snippets` are
highlighted with Pygments at save time, line numbers in a table cell of their own,
an empty language guessed; they have no drafts, so every change is public at once.

`presence` records which editor tabs have a post open (a heartbeat every ~20 s, a
row per tab in `editor_presence`, gone after a minute of silence), so writers see
each other; it never blocks an edit.

`navigation` is the blog's header links as its owners order them (pages, tags, the
feed, the snippets, other sites), saved whole under the settings compare-and-set;
readers see only those whose target is public (`inkwell.tenants.navigation`).

`changes.content_changed` is the only code that bumps a blog's `content_version`,
in the caller's transaction; subscribers (the mirror's publish queue today) connect
to `changes.changed`, so the code that saves never lists who reacts.
"""
