"""The demo blog `make run` shows a newcomer: created once, left alone after."""

from collections.abc import Iterator

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from inkwell.platform.core import tenancy
from inkwell.platform.core.accounts.registration import AccountError, new_blog, new_user
from inkwell.platform.core.content.posts import PostInput, save_post
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import Membership, Post, Tenant, User
from inkwell.platform.web.cli.args import account_errors

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for the newcomer; a local demo account
DEMO_SUBDOMAIN = "demo"

POSTS = [
    (
        "Welcome to Inkwell",
        ["inkwell"],
        "This is the demo blog. Log in to the dashboard to write your own posts.\n\n"
        "Posts are written in **Markdown**, with tables, footnotes[^1] and code.\n\n"
        "[^1]: Like this one.\n",
    ),
    (
        "Highlighted code",
        ["inkwell", "python"],
        "Code blocks are highlighted with Pygments when you save:\n\n"
        "```python\nfrom dataclasses import dataclass\n\n\n@dataclass\nclass Post:\n"
        "    title: str\n    words: int = 0\n\n    def reading_time(self) -> str:\n"
        '        """Minutes, at 200 words a minute."""\n'
        '        return f"{max(1, self.words // 200)} min read"\n```\n',
    ),
    (
        "A table, for good measure",
        ["markdown"],
        "| host | app |\n|---|---|\n"
        "| localhost:5000 | platform |\n| demo.localhost:5000 | this blog |\n",
    ),
]

ABOUT = (
    "This blog shows what Inkwell does. *About* is an ordinary page: it stays out of the\n"
    "index and the feeds, and the owners choose where the header links under\n"
    "Settings → Navigation.\n"
)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create (once) the demo blog and its owner, and print how to log in."""
    with account_errors():
        for line in ensure_demo_blog():
            click.echo(line)


def ensure_demo_blog() -> Iterator[str]:
    """Create the demo owner, blog and posts if missing; yield what to tell the user."""
    user = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    user = user or new_user(DEMO_EMAIL, DEMO_PASSWORD, display_name="Demo Writer", verified=True)
    tenant = db.session.scalar(select(Tenant).where(Tenant.subdomain == DEMO_SUBDOMAIN))
    if tenant is None:
        tenant = new_blog(
            user, DEMO_SUBDOMAIN, "The Inkwell demo", current_app.config["BLOG_DOMAIN"]
        )
        tenant.description = "What a blog on Inkwell looks like."
        db.session.flush()
        with tenancy.tenant_scope(tenant.id):
            for title, tags, body in POSTS:
                data = PostInput(title=title, body_md=body, tags=tags, status="published")
                save_post(Post(author_id=user.id), tenant, data, actor=Actor(user.email, user.id))
            # A page, which the default navigation links as "About".
            about = PostInput(title="About", body_md=ABOUT, status="published", is_page=True)
            save_post(Post(author_id=user.id), tenant, about, actor=Actor(user.email, user.id))
            db.session.flush()
    elif db.session.get(Membership, (tenant.id, user.id)) is None:
        raise AccountError(f"the blog {DEMO_SUBDOMAIN!r} exists but {DEMO_EMAIL} is not its member")
    db.session.commit()
    yield f"Demo blog:  {blog_url(tenant)}"
    yield f"Dashboard:  {current_app.config['PREFERRED_URL_SCHEME']}://{current_app.config['APP_HOST']}/login"
    yield f"Log in as   {DEMO_EMAIL} / {DEMO_PASSWORD}"
