"""Freezing a blog into its static mirror: every public page as a file, rendered by
the same views and templates that serve it.

- `freeze.BlogFreezer` uses a site app pinned to the blog (no host lookup, no
  shared page cache) and freezes with Frozen-Flask into
  `instance/mirror-builds/<uuid>/<run id>/`, with relative links (a memoized
  `url_for`) so the mirror works from disk and under any prefix; each file keeps
  its response's Content-Type. A full build reads the blog into memory
  (`content.Preloaded`), and for a big blog (from a few hundred pages) forked
  processes render it (`forking`; MIRROR_BUILD_PROCESSES, by default one per
  CPU), sharing what was read and streaming their files back. A build of a few
  pages (under PRELOAD_FROM_PAGES) reads the database (`content.Live`) instead of
  loading the blog. The site app is kept warm between publishes (`warm_apps`): a
  publish re-pins an idle one to its blog, so templates and SQL compile once a process.
- `pages` lists every page of a blog from a snapshot (posts in page order with a
  stamp per post, snippets, a digest of what every page shows, quarantine and the
  release included) and, given the previous snapshot, the pages a change touched:
  an edited post, the index and tag pages it is on, the feeds, the sitemap;
  old addresses of posts and tags become pages that redirect (`blog.moved`,
  REDIRECT_PAGES), since a static file cannot answer 301.
  A post renamed in the recent-posts block rebuilds every post page (the block is
  there, and only there). Anything that moves pages (a post added, removed or
  re-dated, settings, a new release) rebuilds everything; the sync's
  content hashes then skip the files that did not change. Against the previous
  snapshot it also tells the pages of withdrawn content (deleted) from pages that
  should exist and the build lacks (a refused publish).

- `images`: the files of the media library that public posts show (each `src`
  and `srcset` entry) and the blog's own CSS names (its copy in the mirror links
  them relatively), kept per post in the snapshot; the publish copies the ones
  the mirror lacks into its `media/` folder (names are content hashes: a file
  there never changes), and one no public post shows any more is withdrawn.

The publish around it (the queue, the lock, the sync, the history) is
`inkwell.platform.core.publishing` and `inkwell.workers.publish`.
"""
