"""The Pelican yardstick of `python -m bench.run static`: the bench corpus built
with the default theme into what an Inkwell mirror holds (home and tag pages
paginated by 10, post pages with Pygments-highlighted code, feeds of the 15
newest posts for home and every tag, a sitemap), at the same paths, with
relative URLs. Pages Inkwell has no counterpart of (authors, categories,
archives and their feeds) are switched off, so Pelican does no extra work."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
SITENAME = "Bench"
SITEURL = "https://bench.example.page"
RELATIVE_URLS = True
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
ARTICLE_URL, ARTICLE_SAVE_AS = "{slug}/", "{slug}/index.html"
TAG_URL, TAG_SAVE_AS = "tags/{slug}/", "tags/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 15
FEED_ALL_ATOM = "latest.atom"
TAG_FEED_ATOM = "tags/{slug}/latest.atom"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = None
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ""
CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = ""
# The default theme's article footer names the category, which no post has now.
THEME_TEMPLATES_OVERRIDES = [str(HERE / "templates")]
ARCHIVES_SAVE_AS = ""
# A sitemap without a plugin: a template page that sees every article.
TEMPLATE_PAGES = {str(HERE / "sitemap.xml"): "sitemap.xml"}
# Every round is a full build, as Hugo's and Inkwell's are.
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
