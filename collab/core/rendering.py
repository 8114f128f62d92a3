"""Markdown to safe HTML: the one place user text becomes markup.

Python-Markdown does not sanitise (raw HTML, `javascript:` links pass through), so its output
always goes through nh3 with an allow-list: no script, no event handler, no style, no iframe,
only http, https and mailto links, and links get rel="noopener nofollow".
"""

import re

import markdown
import nh3
from markdown.extensions.toc import slugify
from markupsafe import Markup

# Ids the pages around a rendered plan or comment use themselves (sections, form fields and
# their hints and errors, the live preview, comment anchors). A heading that took one would
# steal links, labels and the skip link: the English template's "## Attachments" did.
PAGE_IDS = frozenset({
    "main", "lang-label", "attachments", "attachments-title", "comments-title", "new-comment",
    "comment-body", "comment-section", "preview", "preview-title", "plan-form", "draft-status",
    "new-template", "own-templates", "title", "body", "subject", "grade", "topic",
    "duration_minutes", "tags", "visibility", "team_id", "is_research_lesson", "message",
    "base_revision", "template", "file", "name", "csrf_token", "q", "scope", "tag", "author",
    "a", "b",
})
PAGE_ID_PATTERN = re.compile(r"(?:comment|reply)-\d+(?:-error)?|.+-(?:hint|error)")


def heading_id(value: str, separator: str) -> str:
    """The anchor of a heading: its slug, moved aside if the page already uses that id."""
    slug = slugify(value, separator)
    if slug in PAGE_IDS or PAGE_ID_PATTERN.fullmatch(slug):
        return f"{slug}{separator}section"
    return slug


EXTENSIONS = ["tables", "fenced_code", "sane_lists", "toc"]
EXTENSION_CONFIGS = {
    "toc": {"permalink": False, "slugify": heading_id},
    # Column alignment as the allowed `align` attribute: the default is a style attribute,
    # which the sanitiser removes.
    "tables": {"use_align_attribute": True},
}

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody",
    "tr", "th", "td", "sup", "sub", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "th": {"align"}, "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


MAX_PASSES = 5

# An <img> as the sanitiser writes it: every attribute double-quoted, no raw " inside.
_IMG = re.compile(r'<img((?:\s+[^\s="<>/]+="[^"]*")*)(\s*/?)>')


def _with_alt(match: re.Match) -> str:
    attributes = match.group(1)
    if re.search(r'\salt="', attributes):
        return match.group(0)
    # A raw <img> typed without alt text is decorative to a screen reader, not "unlabelled".
    return f'<img{attributes} alt=""{match.group(2)}>'


def sanitise(html: str) -> str:
    """Clean HTML down to the allow-list and give every image an alt text (idempotent).

    One pass of nh3 may serialise a tree that parses differently again (`<p><select><table>`
    gives `<p><table></table></p>`, which a browser reads as `<p></p><table>…`), so the
    result is cleaned again until it no longer changes: what the browser parses is then
    exactly what the sanitiser checked."""
    cleaned = _clean(html)
    for _ in range(MAX_PASSES):
        again = _clean(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return _IMG.sub(_with_alt, cleaned)


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def render_markdown(text: str, heading_ids: bool = True) -> Markup:
    """Render user Markdown to sanitised HTML, safe to put in a template. Without
    `heading_ids` (chat messages, many to a page), headings get no id that could clash with
    the page's own."""
    # Only the sanitiser's output is ever marked safe (a test greps for Markup( elsewhere).
    return Markup(sanitise(_convert(text or "", heading_ids)))  # noqa: S704  # nosec B704


# Idle Markdown parsers, by heading_ids: building one costs more than converting a chat
# message, and one instance must not convert two texts at once (list.pop and list.append
# are atomic).
_idle_parsers: dict[bool, list[markdown.Markdown]] = {True: [], False: []}


def _convert(text: str, heading_ids: bool) -> str:
    idle = _idle_parsers[heading_ids]
    try:
        md = idle.pop()
    except IndexError:
        extensions = EXTENSIONS if heading_ids else [e for e in EXTENSIONS if e != "toc"]
        md = markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS,
                               output_format="html")
    try:
        return md.reset().convert(text)
    finally:
        idle.append(md)


def headings(text: str) -> list[tuple[str, str]]:
    """The (anchor id, title) of every heading, for commenting on a section."""
    md = markdown.Markdown(extensions=["toc"], extension_configs=EXTENSION_CONFIGS)
    md.convert(text or "")
    result: list[tuple[str, str]] = []

    def walk(tokens):
        for token in tokens:
            result.append((token["id"], token["name"]))
            walk(token.get("children", []))

    walk(md.toc_tokens)
    return result
