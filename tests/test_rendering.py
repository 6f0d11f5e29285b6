"""Markdown renders to safe HTML with highlighted code."""

import pytest

from inkwell.platform.core.content.rendering import render_markdown


def test_code_is_highlighted_with_classes() -> None:
    html = render_markdown("```python\ndef f():\n    return 1\n```")
    assert '<div class="highlight">' in html
    assert '<span class="k">def</span>' in html
    assert "style=" not in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[x](javascript:alert(1))", "javascript:"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ('<a href="https://ok.example" style="color:red">x</a>', "style="),
    ],
)
def test_dangerous_markup_is_removed(source: str, forbidden: str) -> None:
    assert forbidden not in render_markdown(source)


def test_links_get_noopener() -> None:
    html = render_markdown("[ok](https://example.com)")
    assert 'rel="noopener noreferrer"' in html
