"""The renderer cannot fail or run away (issue 14, item 1): any text comes back as safe HTML,
rendered as Markdown within bounds (size, nesting, time) and otherwise escaped with its line
breaks, the fallback logged once per text; a fuzz test over Markdown-ish input never
raises."""

import logging
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from collab.core import rendering
from collab.core.rendering import headings, render_markdown, stored_html
from tests.unit.test_rendering import assert_harmless

PATHOLOGICAL = {
    "dashes": "- " * 500 + "x",
    "dashes_bare": "- " * 2000,
    "quotes": ">" * 10_000 + " x",
    "quote_lists": "> - " * 400 + "x",
    "nested_lists": "".join("    " * i + "- x\n" for i in range(300)),
    "numbered": "1. " * 1000,
    "emphasis": "*" * 100_000 + "x" + "*" * 100_000,
    "underscores": "_a" * 100_000,
    "brackets": "[" * 50_000 + "]" * 50_000,
    "raw_html": "<blockquote>" * 5000,
    "one_megabyte": "a " * 500_000,
    "megabyte_lines": "x\n" * 500_000,
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_shapes_come_back_as_safe_html(name):
    text = PATHOLOGICAL[name]
    started = time.process_time()
    html = render_markdown(text)
    assert isinstance(html, Markup)
    assert_harmless(str(html)[:200_000])
    assert rendering._html_depth(str(html)) <= rendering.MAX_HTML_DEPTH
    # Bounded by the checks before the converter, not by its time limit (CPU of this process).
    assert time.process_time() - started < 5


def test_text_too_deep_or_too_long_is_shown_escaped_with_its_line_breaks():
    text = "<b>bold</b>\n" + "".join("    " * i + "- x\n" for i in range(40))
    html = str(render_markdown(text))
    assert html.startswith("<p>&lt;b&gt;bold&lt;/b&gt;<br>")
    assert str(render_markdown("x " * (rendering.MAX_SOURCE // 2 + 1))).startswith("<p>x x")


def test_a_conversion_that_runs_away_is_stopped_and_the_next_one_works(monkeypatch, caplog):
    monkeypatch.setattr(rendering, "RENDER_SECONDS", 0.5)
    runaway = "<![CDATA[" * 2000  # seconds in Python-Markdown, growing with its square
    with caplog.at_level(logging.WARNING, "collab.core.rendering"):
        html = str(render_markdown(runaway))
        render_markdown(runaway)  # shown again: not logged again
    assert html.startswith("<p>&lt;![CDATA[")
    assert [r.getMessage() for r in caplog.records if "took too long" in r.getMessage()
            ] and len(caplog.records) == 1
    assert str(render_markdown("**ok**")) == "<p><strong>ok</strong></p>"


def test_a_converter_that_raises_gives_the_escaped_text(monkeypatch):
    def broken(text, heading_ids):
        raise rendering.RenderFailed("converter raised RecursionError")

    monkeypatch.setattr(rendering, "_convert", broken)
    assert str(render_markdown("**a** <i>")) == "<p>**a** &lt;i&gt;</p>"
    assert headings("## Tujuan") == []


def test_stored_html_is_sanitised_on_read_and_missing_html_rendered():
    assert str(stored_html('<p onclick="x()">a<script>b</script></p>', "")) == "<p>a</p>"
    assert str(stored_html(None, "**a**")) == "<p><strong>a</strong></p>"


MARKDOWNISH = st.lists(st.one_of(
    st.sampled_from(["- ", "* ", "+ ", "1. ", "> ", "    ", "\t", "#", "## ", "```", "~~~",
                     "|", "|-|", "*", "**", "_", "__", "`", "[", "]", "(", ")", "![", "<",
                     ">", "</", "<![CDATA[", "<!--", "&", "&#", "\\", "\n", "\n\n", "---",
                     "===", ":", "http://a.example", "\x00", "\ud800", "\u200b"]),
    st.text(max_size=6)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWNISH, st.booleans())
def test_rendering_any_markdownish_text_never_raises(text, heading_ids):
    html = render_markdown(text, heading_ids=heading_ids)
    assert isinstance(html, Markup)
    assert_harmless(str(html))
    headings(text)


def test_texts_rendered_at_once_each_get_their_own_html(monkeypatch):
    """Several requests render at once through the pool of converter processes; a runaway
    text in one does not change what the others get."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(rendering, "RENDER_SECONDS", 0.5)
    texts = [f"**{n}**" for n in range(12)] + ["<![CDATA[" * 2000]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda t: str(render_markdown(t)), texts))
    assert results[:12] == [f"<p><strong>{n}</strong></p>" for n in range(12)]
    assert results[12].startswith("<p>&lt;![CDATA[")
    assert len(rendering._idle) <= rendering.MAX_WORKERS
