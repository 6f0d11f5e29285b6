"""Readers of other platforms' exports (issue 23): a Ghost export, a Substack zip and
Bear notes as those tools write them become the posts a user sees after the move,
with their titles, bodies, times, tags, authors and old addresses; broken and
hostile files (malformed JSON, zip slip, zip bombs, wrong encodings, huge fields)
get a clear refusal or a skipped row with the reason, never a crash."""

import codecs
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fixtures.foreign_exports import BEAR_NOTES, GHOST_EXPORT, read, substack_zip
from inkwell.platform.core.portability import bundles
from inkwell.platform.core.portability.foreign import ForeignFormatError
from inkwell.platform.core.portability.readers.bear import BearReader
from inkwell.platform.core.portability.readers.csv_text import FIELD_MAX
from inkwell.platform.core.portability.readers.ghost import GhostReader
from inkwell.platform.core.portability.readers.substack import SubstackReader


def by_title(posts):
    return {post.title: post for post in posts}


# Ghost


def test_a_ghost_export_gives_its_posts_and_pages_with_what_ghost_knew() -> None:
    posts, skipped = read(GhostReader(GHOST_EXPORT, "https://field-notes.example"))
    found = by_title(posts)
    assert list(found) == [
        "Tide pools at dawn", "رحلة إلى البحر", "Next week: the estuary", "About",
        "Members: October letter",
    ]  # fmt: skip
    assert skipped == []
    tide = found["Tide pools at dawn"]
    assert tide.body_format == "html" and tide.body.startswith("<p>Low tide at six.</p>")
    # Ghost's placeholder for its own address is the site's again.
    assert 'src="https://field-notes.example/content/images/2024/07/pool.png"' in tide.body
    assert tide.cover_url == "https://field-notes.example/content/images/2024/07/cover.jpg"
    assert (tide.status, tide.slug, tide.old_paths) == (
        "published",
        "tide-pools-at-dawn",
        ("/tide-pools-at-dawn/",),
    )
    assert tide.published_at == datetime(2024, 7, 21, 6, 0, tzinfo=UTC)
    assert tide.updated_at == datetime(2024, 7, 22, 8, 0, tzinfo=UTC)
    # Tags by their sort order; Ghost's internal #tags are not the author's.
    assert tide.tags == ("Coast", "Birds & Tides")
    assert (tide.author_name, tide.author_email) == ("Jo Bloggs", "jo@example.com")
    assert tide.excerpt == "Anemones, crabs and a very patient heron."


def test_ghost_drafts_scheduled_pages_and_other_bodies() -> None:
    found = by_title(read(GhostReader(GHOST_EXPORT))[0])
    draft = found["رحلة إلى البحر"]
    assert (draft.status, draft.published_at, draft.tags) == ("draft", None, ("سفر",))
    # "2024-08-01 10:00:00", as Ghost writes times in its database: UTC.
    assert draft.created_at == datetime(2024, 8, 1, 10, 0, tzinfo=UTC)
    assert (draft.author_name, draft.author_email) == (
        "سارة",
        "sara@example.org",
    )  # the first author
    later = found["Next week: the estuary"]
    assert (later.status, later.published_at) == ("scheduled", datetime(2030, 1, 1, 9, tzinfo=UTC))
    assert (later.body_format, later.body) == ("markdown", "Birds, **many** birds.")  # mobiledoc
    about = found["About"]
    assert about.is_page and about.old_paths == ("/about/",)
    # Emailed only, never on the site: not made public by the move.
    assert found["Members: October letter"].status == "draft"
    # Without the site's address its images cannot be reached, and the cover says so.
    assert found["Tide pools at dawn"].cover_url is None
    assert 'src="/content/images/2024/07/pool.png"' in found["Tide pools at dawn"].body


def test_ghost_identity_is_the_same_on_every_import_and_differs_per_post() -> None:
    first = [post.uuid for post in read(GhostReader(GHOST_EXPORT))[0]]
    again = [post.uuid for post in read(GhostReader(GHOST_EXPORT, "https://a.example"))[0]]
    assert first == again and len(set(first)) == len(first)


def test_a_cover_on_the_old_site_without_its_address_is_reported() -> None:
    skipped = read(GhostReader(GHOST_EXPORT))[1]
    assert [(s.kind, s.source_ref) for s in skipped] == [("image", "post “Tide pools at dawn”")]
    assert skipped[0].reason == (
        "its cover “/content/images/2024/07/cover.jpg” is a path on the old site, "
        "fetched only when the import is given the site's address"
    )


def ghost_file(tmp_path: Path, posts: list[dict], wrapped: bool = True, **tables) -> Path:
    data = {"posts": posts, **tables}
    export = {"meta": {"exported_on": 1, "version": "5.0.0"}, "data": data}
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps({"db": [export]} if wrapped else export), encoding="utf-8")
    return path


def test_ghost_lexical_only_posts_and_unwrapped_exports(tmp_path: Path) -> None:
    lexical = {"root": {"children": [
        {"type": "paragraph", "children": [{"type": "text", "text": "One"},
                                           {"type": "linebreak"}, {"type": "text", "text": "two"}]},
        {"type": "heading", "children": [{"type": "text", "text": "Three"}]},
    ]}}  # fmt: skip
    post = {"id": "1", "title": "Lexical", "slug": "lexical", "html": None,
            "lexical": json.dumps(lexical), "status": "published", "type": "post"}  # fmt: skip
    posts, _ = read(GhostReader(ghost_file(tmp_path, [post], wrapped=False)))
    assert [(p.title, p.body, p.body_format) for p in posts] == [
        ("Lexical", "One\ntwo\n\nThree", "markdown")
    ]


def test_a_ghost_export_over_a_megabyte_is_read_whole(tmp_path: Path) -> None:
    """Ghost's own importer failed on exports over 1 MB (TryGhost/Ghost#12040)."""
    paragraph = "<p>" + "Wave after wave. " * 50 + "</p>"
    posts = [
        {"id": str(n), "uuid": f"00000000-0000-4000-8000-{n:012d}", "title": f"Post {n}",
         "slug": f"post-{n}", "html": paragraph * 5, "status": "published", "type": "post",
         "published_at": "2024-01-01T00:00:00.000Z"}
        for n in range(800)
    ]  # fmt: skip
    tags = [{"id": "t", "name": "Sea"}]
    links = [{"post_id": str(n), "tag_id": "t"} for n in range(800)]
    path = ghost_file(tmp_path, posts, tags=tags, posts_tags=links)
    assert path.stat().st_size > 3_000_000
    found, skipped = read(GhostReader(path))
    assert len(found) == 800 and skipped == []
    assert found[-1].title == "Post 799" and found[-1].tags == ("Sea",)


def test_ghost_rows_it_cannot_take_are_skipped_with_the_reason(tmp_path: Path) -> None:
    posts = [
        {"id": "1", "title": "Fine", "slug": "fine", "html": "<p>ok</p>", "status": "published"},
        {"id": "2", "title": "Odd date", "html": "<p>x</p>", "status": "published",
         "published_at": "yesterday"},
        {"id": "3", "title": "Huge", "html": "x" * (bundles.MAX_FILE_BYTES + 1), "status": "draft"},
        {"id": "4", "title": "Other", "html": "<p>x</p>", "status": "published", "type": "product"},
        {"id": "5", "title": "Mystery", "html": "<p>x</p>", "status": "archived"},
        "not a post",
    ]  # fmt: skip
    posts_found, skipped = read(GhostReader(ghost_file(tmp_path, posts)))
    assert [p.title for p in posts_found] == ["Fine"]
    reasons = [(s.source_ref, s.reason) for s in skipped]
    assert reasons[0] == (
        "post “Odd date”",
        "a date that cannot be read: “yesterday” is not a time",
    )
    assert reasons[1] == ("post “Huge”", "its text is over 5 MB")
    assert "type “product”" in reasons[2][1] and "status “archived”" in reasons[3][1]
    assert "no object" in reasons[4][1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"db": [{"meta": {}, "data": {"posts": [{"id": "1", "title": "cut',
            "not a readable JSON file",
        ),
        (b"<html>not json</html>", "not a readable JSON file"),
        (b'{"db": [{"meta": {}, "data": {"users": []}}]}', "has no posts"),
        ('{"data": {"posts": []}}'.encode("utf-16"), "not a readable JSON file"),
        (b"", "not a readable JSON file"),
    ],
)
def test_a_file_that_is_no_ghost_export_is_refused_clearly(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(content)
    with pytest.raises(ForeignFormatError, match=message) as refused:
        list(GhostReader(path).items())
    assert "export.json" in str(refused.value)


def test_a_ghost_export_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(codecs.BOM_UTF8 + GHOST_EXPORT.read_bytes())
    assert len(read(GhostReader(path))[0]) == 5


# Substack


def test_a_substack_zip_gives_its_posts_with_their_old_addresses(tmp_path: Path) -> None:
    posts, skipped = read(SubstackReader(substack_zip(tmp_path / "export.zip")))
    found = by_title(posts)
    assert list(found) == [
        "Spring migration", 'Notes for subscribers, with "quotes"', "Draft on owls",
        "Episode 1: the marsh", "日本の春",
    ]  # fmt: skip
    spring = found["Spring migration"]
    assert (spring.status, spring.slug, spring.old_paths) == (
        "published",
        "spring-migration",
        ("/p/spring-migration",),
    )
    assert spring.published_at == datetime(2024, 3, 12, 14, 5, tzinfo=UTC)
    assert spring.excerpt == "Geese, cranes and a late frost"
    assert spring.body_format == "html" and "<p>The geese came back on Tuesday.</p>" in spring.body
    assert 'src="https://substackcdn.com/image/geese.jpg"' in spring.body
    owls = found["Draft on owls"]
    assert (owls.status, owls.published_at) == ("draft", None)
    assert (
        found["日本の春"].old_paths == ("/p/日本の春",)
        and found["日本の春"].body == "<p>桜が咲いた。</p>\n"
    )
    # A paid post is imported whole: the export has its text.
    assert found['Notes for subscribers, with "quotes"'].body == "<p>Thank you for reading.</p>\n"
    assert [(s.kind, s.source_ref) for s in skipped] == [
        ("thread", "posts.csv line 6 (142000003.open-thread)")
    ]


def zipped(path: Path, entries: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


HEADER = "post_id,post_date,is_published,type,title\r\n"


def test_a_substack_zip_inside_a_folder_and_with_missing_bodies(tmp_path: Path) -> None:
    rows = "1.one,2024-01-01T00:00:00Z,true,newsletter,One\r\n2.two,,false,newsletter,Two\r\n"
    entries = {"export-2024/posts.csv": HEADER + rows, "export-2024/posts/1.one.html": "<p>1</p>"}
    path = zipped(tmp_path / "nested.zip", entries)
    posts, skipped = read(SubstackReader(path))
    assert [p.title for p in posts] == ["One"]
    assert [(s.source_ref, s.reason) for s in skipped] == [
        ("posts.csv line 3 (2.two)", "its text, posts/2.two.html, is not in the zip")
    ]


def test_zip_slip_entries_are_never_read(tmp_path: Path) -> None:
    rows = "1.one,,true,newsletter,One\r\n../../etc.two,,true,newsletter,Two\r\n"
    entries = {
        "posts.csv": HEADER + rows,
        "../posts/1.one.html": "<p>outside</p>",
        "/posts/1.one.html": "<p>absolute</p>",
        "posts/../../etc.two.html": "<p>escaped</p>",
    }
    path = zipped(tmp_path / "slip.zip", entries)
    posts, skipped = read(SubstackReader(path))
    assert posts == []
    assert [s.reason for s in skipped] == [
        "its text, posts/1.one.html, is not in the zip",
        "no post_id (expected “<number>.<slug>”)",
    ]


def test_a_zip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    """An entry that inflates far beyond its declared size is read up to the cap only."""
    path = substack_zip(tmp_path / "bomb.zip")
    bomb = tmp_path / "bomb2.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "posts/139023437.spring-migration.html":
                data = b"<p>" + b"A" * (bundles.MAX_FILE_BYTES * 4)  # 20 MB of one letter
            out.writestr(info, data)
    assert bomb.stat().st_size < 100_000
    posts, skipped = read(SubstackReader(bomb))
    assert "Spring migration" not in by_title(posts) and len(posts) == 4
    assert ("posts/139023437.spring-migration.html cannot be read: larger than 5 MB") in {
        s.reason for s in skipped
    }


def test_a_zip_whose_sizes_lie_is_refused_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundles, "MAX_BUNDLE_BYTES", 1000)
    with pytest.raises(ForeignFormatError, match="the zip holds more than"):
        list(SubstackReader(substack_zip(tmp_path / "big.zip", extra=b"")).items())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really a zip", "not a .zip file"),
        (b"just text", "not a .zip file"),
    ],
)
def test_a_file_that_is_no_zip_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(content)
    with pytest.raises(ForeignFormatError, match=message):
        list(SubstackReader(path).items())


def test_a_zip_without_posts_csv_is_no_substack_export(tmp_path: Path) -> None:
    path = zipped(tmp_path / "other.zip", {"notes/readme.html": "<p>hi</p>"})
    with pytest.raises(ForeignFormatError, match=r"no posts\.csv in the zip: a Substack export"):
        list(SubstackReader(path).items())


def test_a_latin1_posts_csv_is_refused_with_how_to_fix_it(tmp_path: Path) -> None:
    latin = "post_id,title\r\n1.cafe,Café\r\n".encode("latin-1")
    path = zipped(tmp_path / "latin.zip", {"posts.csv": latin})
    with pytest.raises(ForeignFormatError, match=r"posts.csv is not UTF-8 text \(byte 0xE9"):
        list(SubstackReader(path).items())


# Bear


def test_bear_notes_become_drafts_with_their_tags_and_times() -> None:
    posts, skipped = read(BearReader(BEAR_NOTES))
    assert skipped == []
    pancakes, shopping = posts
    assert pancakes.title == "Pancakes" and pancakes.status == "draft"
    # The heading that repeats the title and the line of tags are not the body.
    assert pancakes.body == (
        "Mix **flour**, eggs and milk.\n\n```\n#not-a-tag in code\n```\n"
        "A note about #morning light and #slow mornings# too.\n"
    )
    assert pancakes.tags == ("recipes", "breakfast/sweet", "morning", "slow mornings")
    assert pancakes.created_at == datetime(2023, 2, 1, 8, 15, tzinfo=UTC)
    assert pancakes.updated_at == datetime(2023, 2, 3, 9, 0, tzinfo=UTC)  # +01:00 in the file
    assert pancakes.source_ref == "line 2 (“Pancakes”)"
    # No title column value: the note's first heading is its title.
    assert (shopping.title, shopping.body, shopping.tags) == (
        "Список покупок", "Хлеб, молоко.\n", ("errands", "дом"),
    )  # fmt: skip
    assert shopping.source_ref == "line 11 (“Список покупок”)"


def bear_file(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "notes.csv"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16"], ids=["UTF-8 with a byte order mark", "UTF-16"]
)
def test_bear_csv_as_spreadsheets_save_it_is_read(tmp_path: Path, encoding: str) -> None:
    content = "Title,Note,Created\r\nÉté,Soleil ☀,2023-07-01\r\n".encode(encoding)
    posts, _ = read(BearReader(bear_file(tmp_path, content)))
    assert [(p.title, p.body, p.created_at) for p in posts] == [
        ("Été", "Soleil ☀\n", datetime(2023, 7, 1, tzinfo=UTC))
    ]


def test_a_latin1_bear_csv_is_refused_and_a_bad_row_later_is_skipped(tmp_path: Path) -> None:
    latin = bear_file(tmp_path, "title,text\r\nÉté,Soleil\r\n".encode("latin-1"))
    with pytest.raises(ForeignFormatError, match=r"not UTF-8 text.*save it again as UTF-8"):
        list(BearReader(latin).items())
    rows = "title,text\r\n" + "".join(f"Note {n},Fine text\r\n" for n in range(5000))
    mixed = bear_file(tmp_path, rows.encode() + "Été,Soleil\r\nLast,ok\r\n".encode("latin-1"))
    posts, skipped = read(BearReader(mixed))
    assert len(posts) == 5001 and posts[-1].title == "Last"
    assert [(s.source_ref, s.reason) for s in skipped] == [
        ("line 5002", "it holds text that is not UTF-8")
    ]


def test_utf16_without_a_byte_order_mark_is_named(tmp_path: Path) -> None:
    path = bear_file(tmp_path, "title,text\r\nA,b\r\n".encode("utf-16-le"))
    with pytest.raises(ForeignFormatError, match="UTF-16 without a byte order mark"):
        list(BearReader(path).items())


def test_bear_rows_it_cannot_take_are_skipped_and_the_rest_imported(tmp_path: Path) -> None:
    content = (
        b"title,text,created\r\n"
        b"Good,Body,2023-01-01\r\n"
        b"Bad date,Body,last tuesday\r\n"
        b"Extra,Body,2023-01-01,surprise\r\n"
        b", ,2023-01-02\r\n"
        b"\r\n"
        b"Also good,Body,\r\n"
    )
    posts, skipped = read(BearReader(bear_file(tmp_path, content)))
    assert [p.title for p in posts] == ["Good", "Also good"]
    assert [(s.source_ref, s.reason) for s in skipped] == [
        ("line 3 (“Bad date”)", "a date that cannot be read: “last tuesday” is not a time"),
        ("line 4", "4 fields where the header names 3"),
        ("line 5", "an empty note"),
    ]


def test_a_field_over_the_limit_is_refused_not_loaded(tmp_path: Path) -> None:
    huge = b'title,text\r\nHuge,"' + b"x" * (FIELD_MAX + 10) + b'"\r\nAfter,ok\r\n'
    with pytest.raises(
        ForeignFormatError, match=r"line 2: not readable as CSV .*field larger than field limit"
    ):
        list(BearReader(bear_file(tmp_path, huge)).items())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "notes.csv is empty"),
        (
            b"title,date\r\nA,2023\r\n",
            "no column of the notes' text: expected one named text, note",
        ),
        (b'title,text\r\nA,"unclosed\x00', "UTF-16 without"),
    ],
)
def test_a_csv_that_is_no_bear_export_is_refused(
    tmp_path: Path, content: bytes, message: str
) -> None:
    with pytest.raises(ForeignFormatError, match=message):
        list(BearReader(bear_file(tmp_path, content)).items())


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ForeignFormatError, match=r"gone\.csv cannot be read"):
        list(BearReader(tmp_path / "gone.csv").items())
