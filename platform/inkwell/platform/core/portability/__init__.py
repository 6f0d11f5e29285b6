"""A blog's posts and snippets in and out as Markdown files, as static site generators
write them: an export imports back as the same blog.

`markdown_io` reads a bundle, a folder or a .zip (`bundles`, which trusts nothing in
it: entries that are absolute, hold `..` or hide are skipped; 5 MB a Markdown file
and 200 MB of them in all, an image within the media limit, checked from the
declared sizes, then again by a bounded read). Posts are
files with YAML front matter (`front_matter`, `post_files`: title, date, tags, slug,
draft, excerpt; `post_identity`: uuid, created and updated to the microsecond, author
by email, so a moved blog exports the same bytes and keeps its feed ids); snippets
(`snippet_files`: title, slug, language) keep the raw code as their body. An import
is a plan (`plan_import`: what each file will do, nothing written) and its execution
(`apply_import`), so every preview (`--dry-run`, the dashboard's Import) shows what
the same code then applies. Import goes through
`content.post_input.clean_post_input` (the editor's limits and stored form),
`content.posts.save_post` and `content.snippets.save_snippet`, like the editor:

- posts match by UUID, else by slug (a UUID naming one post and a slug another is an
  error for the file), snippets by slug; a file that would change nothing is skipped
  (nothing written, no `content_version` bump), so importing again is harmless; one
  that replaces a post names the fields it changes (`content.posts.changed_fields`);
  a new post's slug that is another post's old address, or more than 20 tags,
  is an error for that file (never a suffix or a cut); tags are written as a list,
  so a name with a comma stays one tag;
- a bad file is reported by name and never stops the others;
- quotas (`limits.quotas.Budget`): the plan counts new posts and snippets, storage is
  charged as the import goes; the first file over a limit stops it, the files before
  stay, each post whole, and the rest are reported;
- it commits every BATCH_SIZE writes, and refreshes the planner's statistics after
  a large import.

Images: an export carries each image of the blog's library as `media/<name>` (its
stored original) and posts point at them relatively, `![alt](../media/<name>)`
(`image_export`); an import brings the images its posts show, and all of a
`media/` folder, into the blog's library through `core.media` (its checks and the
storage quota), and points the posts at them as `media:<id>` (`image_import`).
`image_refs` finds images in Markdown as exports, Obsidian (`![[x.png]]`, a file
name found anywhere in the vault), Jekyll (`/assets/x.png`) and Hugo write them.
An image that is missing or refused is named in the preview; the post keeps the
reference as written. Entries are dated 1980-01-01, so export -> import -> export
gives the same bytes.

Other platforms' exports (`foreign`: the one shape their readers yield) are read
by `readers/` (WordPress's WXR, Ghost, Substack, Bear; streamed) and stored by
`foreign_import` through the same clean_post_input and save_post, matched by a
UUID derived from the source, so importing again changes nothing; the images they
name by URL are fetched into the library by `remote_images`, through
`public_fetch` (public addresses only). `import_jobs` runs such an import in the
background with its progress, resumable after a crash (`import_jobs.FORMATS`: the
formats offered, one line each).

Export writes `posts/<slug>.md`, `snippets/<slug>.md` and `media/<name>`, and the
blog's `custom.css` (`custom_css_files`) and `navigation.yaml` (`navigation_files`:
links naming pages by slug and tags by name) when it has them. Entry
points: `inkwell import markdown [--dry-run]`, `inkwell export`, and the
dashboard's Export and Import (owners and editors; Import previews, then applies
on confirmation).
"""
