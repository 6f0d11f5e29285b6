"""Flows a real person tripped over (issue #18, "Flows"): Publish before confirming
the address, the sole owner's team row, snippet languages, the order of the
posts list, full and incremental publishes in the mirror's history, plurals."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from fixtures.app import HostClient, platform_browser, post_form
from fixtures.blogs import Blog, blog_id
from fixtures.mirrors import publish
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Snippet, User
from inkwell.platform.core.template_filters import plural
from inkwell.platform.core.types import utcnow

# Typical snippets of the languages a guess must get right, keyed by Pygments alias.
SAMPLES = {
    "rust": """use std::collections::HashMap;

fn main() {
    let mut counts = HashMap::new();
    for word in "a b a".split_whitespace() {
        *counts.entry(word).or_insert(0) += 1;
    }
    println!("{:?}", counts);
}
""",
    "go": """package main

import "fmt"

func main() {
	names := []string{"a", "b"}
	for _, n := range names {
		fmt.Println(n)
	}
}
""",
    "python": """from pathlib import Path


def count_lines(path: Path) -> int:
    with path.open() as lines:
        return sum(1 for _ in lines)
""",
    "javascript": """const button = document.querySelector("#save");
button.addEventListener("click", async () => {
  const answer = await fetch("/save", { method: "POST" });
  console.log(answer.status);
});
""",
    "typescript": """interface User {
  name: string;
  age: number;
}

export function greet(user: User): string {
  return `Hello, ${user.name}`;
}
""",
    "c": """#include <stdio.h>
#include <stdlib.h>

int main(void) {
    char *name = malloc(32);
    if (name == NULL) return 1;
    printf("hello\\n");
    free(name);
    return 0;
}
""",
    "cpp": """#include <iostream>
#include <vector>

int main() {
    std::vector<int> numbers{1, 2, 3};
    for (auto n : numbers) {
        std::cout << n << std::endl;
    }
}
""",
    "java": """public class Hello {
    public static void main(String[] args) {
        System.out.println("Hello");
    }
}
""",
    "ruby": """class Greeter
  attr_reader :name

  def initialize(name)
    @name = name
  end

  def greet
    puts "Hello, #{name}"
  end
end
""",
    "bash": """#!/bin/bash
set -euo pipefail
for file in *.log; do
  gzip "$file"
done
echo "done"
""",
    "sql": """SELECT authors.name, COUNT(posts.id) AS posts
FROM authors
JOIN posts ON posts.author_id = authors.id
WHERE posts.status = 'published'
GROUP BY authors.name
ORDER BY posts DESC;
""",
    "html": """<!DOCTYPE html>
<html lang="en">
<head><title>Hi</title></head>
<body>
  <p>Hello <a href="/">home</a></p>
</body>
</html>
""",
    "css": """.card {
  display: flex;
  padding: 1rem;
  border: 1px solid #ddd;
}

@media (max-width: 600px) {
  .card { padding: 0.5rem; }
}
""",
    "yaml": """name: CI
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
""",
    "json": """{
  "name": "inkwell",
  "version": "1.0.0",
  "private": true,
  "scripts": {"test": "pytest"}
}
""",
}


def test_an_unconfirmed_bloggers_publish_is_kept_as_a_draft_and_said_at_the_top(
    app, client, auth
) -> None:
    auth.signup(email="dana@example.com", subdomain="dana")
    auth.login("dana@example.com")
    post = {"title": "Hello", "body_md": "My *words*", "status": "published"}
    kept = post_form(client, "/blogs/dana/posts/new", post)
    assert kept.status_code == 302 and re.fullmatch(r"/blogs/dana/posts/\d+/edit", kept.location)
    with app.app_context(), tenancy.tenant_scope(blog_id(app, "dana")):
        stored = db.session.scalars(select(Post)).one()
        assert (stored.title, stored.body_md, stored.status) == ("Hello", "My *words*", "draft")
    page = client.get(kept.location).text
    message = page.index("Saved “Hello” as a draft, not published. Confirm your email address")
    assert message < page.index('id="post-form"')  # at the top, above the editor
    assert "My *words*" in page


def test_a_live_post_is_not_taken_down_by_an_unconfirmed_member(
    app, client, auth, make_tenant, make_post
) -> None:
    blog = make_tenant("alice")
    post_id = make_post(blog, "Live", "read me")
    with app.app_context():
        db.session.execute(update(User).values(email_verified_at=None))  # e.g. a changed address
        db.session.commit()
    auth.login(blog.owner_email)
    url = f"/blogs/alice/posts/{post_id}/edit"
    refused = post_form(client, url, {"title": "Live", "body_md": "changed", "status": "published"})
    assert refused.status_code == 403 and "changed</textarea>" in refused.text
    errors = refused.text.index("Confirm your email address before publishing")
    assert errors < refused.text.index('id="title"')  # above the fields
    assert "read me" in site_text(app, "alice", "/live/")


def site_text(app, subdomain: str, path: str) -> str:
    return HostClient(app, f"{subdomain}.blogs.test").get(path).text


def test_the_sole_owner_is_offered_no_remove_nor_role_and_told_why(
    app, client, auth, make_tenant, add_member
) -> None:
    blog = make_tenant("alice")
    add_member(blog, "writer@example.com", "author")
    auth.login(blog.owner_email)
    page = client.get("/blogs/alice/team/").text
    own_row = page[page.index("alice@example.com") : page.index("writer@example.com")]
    assert "Remove" not in own_row and "<select" not in own_row
    assert "The only owner: to change or remove them, first make another" in own_row
    assert 'aria-label="Role of writer@example.com"' in page  # others keep both
    with app.app_context():
        owner = db.session.scalar(select(User.id).where(User.email == blog.owner_email))
    # A request made all the same (an old tab): the team page again, the reason on top.
    refused = post_form(client, f"/blogs/alice/team/{owner}/remove", {}, "/blogs/alice/team/")
    assert refused.status_code == 409
    assert '<p class="flash error" role="alert">A blog needs an owner' in refused.text
    assert "<h1>Team</h1>" in refused.text and "Invite someone" in refused.text


@pytest.mark.parametrize("language", list(SAMPLES))
def test_snippet_languages_are_guessed_right(app, make_tenant, make_snippet, language) -> None:
    blog = make_tenant("alice")
    make_snippet(blog, "Untitled", SAMPLES[language])
    with app.app_context(), tenancy.tenant_scope(blog.id):
        assert db.session.scalars(select(Snippet.language)).one() == language


def test_a_file_name_in_the_title_decides_and_prose_stays_plain(
    app, make_tenant, make_snippet
) -> None:
    blog = make_tenant("alice")
    make_snippet(blog, "src/main.rs", "x")
    make_snippet(blog, "A thought", "Nothing here is code, just a sentence or two.")
    with app.app_context(), tenancy.tenant_scope(blog.id):
        rows = db.session.execute(select(Snippet.title, Snippet.language)).all()
        assert dict(rows) == {"src/main.rs": "rust", "A thought": "text"}


def test_the_posts_list_puts_work_in_progress_first_then_the_newest(
    app, client, auth, make_tenant, make_post
) -> None:
    blog = make_tenant("alice")
    now = utcnow()
    make_post(blog, "New post", published_at=now - timedelta(hours=1))
    make_post(blog, "Draft", status="draft")
    make_post(blog, "Soon", status="scheduled", published_at=now + timedelta(days=1))
    make_post(blog, "Later", status="scheduled", published_at=now + timedelta(days=9))
    # Imported last, dated years ago: by last update they came first and buried the rest.
    for year in (2019, 2020):
        make_post(blog, f"Old {year}", published_at=datetime(year, 5, 1, tzinfo=UTC))
    auth.login(blog.owner_email)
    page = client.get("/blogs/alice/").text
    titles = re.findall(
        r'<td dir="auto"><a href="/blogs/alice/posts/\d+/edit">([^<]+)</a></td>', page
    )
    assert titles == ["Draft", "Soon", "Later", "New post", "Old 2020", "Old 2019"]


def test_the_mirror_history_tells_full_publishes_from_updates(
    app, client, auth, make_tenant, make_post, mirror_root
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "First", "one")
    [first] = publish(app, blog.id)  # nothing published yet: everything
    make_post(blog, "Second", "two")  # touches every page, uploads what changed
    [update] = publish(app, blog.id)
    [asked] = publish(app, blog.id, full=True)
    assert (first.full, update.full, asked.full) == (True, False, True)
    assert update.pages_built == update.pages_total and update.skipped > 0
    auth.login(blog.owner_email)
    page = client.get("/blogs/alice/mirror/").text
    kinds = re.findall(r"<td>(Full rebuild|Changes only)</td>", page)
    assert kinds == ["Full rebuild", "Changes only", "Full rebuild"]  # newest first


def test_counts_are_said_with_the_right_plural(
    app, client, auth, admin, make_post, make_snippet, monkeypatch
) -> None:
    blog = Blog(blog_id(app, "alice"), "alice", "alice@example.com")  # the admin fixture's
    make_post(blog, "Only post")
    make_snippet(blog, "Only snippet", "print(1)")
    page = admin.get(f"/admin/tenants/{blog.id}/").text
    assert "1 post, 1 snippet," in page
    forgot = post_form(platform_browser(app), "/forgot-password", {"email": "x@example.com"})
    assert "for 1 hour." in forgot.text  # PASSWORD_RESET_HOURS is 1 by default
    monkeypatch.setitem(app.config, "TENANT_DELETE_GRACE_DAYS", 1)
    monkeypatch.setitem(app.config, "INVITATION_HOURS", 24)
    auth.login(blog.owner_email)
    assert "bring it back within 1 day." in html.unescape(client.get("/blogs/alice/").text)
    assert "a link that works once, for 1 day." in client.get("/blogs/alice/team/").text
    assert plural(1234, "entry", "entries") == "1,234 entries" and plural(2, "day") == "2 days"
