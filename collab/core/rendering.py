"""Markdown to safe HTML: the one place user text becomes markup, and it cannot fail or stall.

Python-Markdown does not sanitise (raw HTML, `javascript:` links pass through), so its output
always goes through nh3 with an allow-list: no script, no event handler, no style, no iframe,
only http, https and mailto links, and links get rel="noopener nofollow".

Python-Markdown can also raise (lists nested a few hundred deep) or take minutes (some 10 KB
texts grow with the square of their length), and a stored text that breaks its page breaks
it for everyone. So a text is shown as Markdown only within bounds, and otherwise as its
own words, escaped, with its line breaks (`plain_html`):
- at most MAX_SOURCE characters and MAX_DEPTH nested blocks (quotes, lists, indentation);
- converted in a process of its own (core.markdown_worker, at most MAX_WORKERS of them),
  killed after a time limit that grows with the text's length up to RENDER_SECONDS (a chat
  message gets half a second);
- any failure of the converter, and HTML nested deeper than MAX_HTML_DEPTH, also fall back.
Each fallback is logged once per text. Pages do not render per view: a revision, a comment
and a chat message keep their HTML (`html` columns), rendered when they are written.
"""

import atexit
import hashlib
import logging
import os
import re
import select
import subprocess  # nosec B404 - runs our own converter file with this interpreter
import sys
import threading
import time
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import nh3
from markupsafe import Markup

from collab.core import markdown_worker
from collab.core.offload import off_loop

log = logging.getLogger(__name__)

MAX_SOURCE = 250_000  # characters; a plan's body may have 200,000
MAX_DEPTH = 32  # nested quotes, list items and indentation steps on one line
MAX_HTML_DEPTH = 64  # elements inside elements in the sanitised HTML
RENDER_SECONDS = 5.0  # at most; a short text gets less (time_limit)
MAX_WORKERS = 2  # converter processes per app process; more texts at once wait their turn
START_SECONDS = 20.0  # for the converter process to start

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
# HTML longer than this is sanitised off the loop (a thread costs about 0.1 ms to hand over).
OFF_LOOP_CHARACTERS = 20_000

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
    # nh3 releases the GIL: a long text's cleaning (50 ms for a 199,000-character table) runs
    # in gevent's thread pool, beside the loop, instead of holding it (issue 16, item 4).
    return off_loop(_nh3_clean, html) if len(html) > OFF_LOOP_CHARACTERS else _nh3_clean(html)


def _nh3_clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def render_markdown(text: str, heading_ids: bool = True) -> Markup:
    """Render user Markdown to sanitised HTML, safe to put in a template; never raises. Without
    `heading_ids` (chat messages, many to a page), headings get no id that could clash with
    the page's own."""
    # Only the sanitiser's output is ever marked safe (a test greps for Markup( elsewhere).
    return Markup(sanitise(_html_of(text or "", heading_ids)))  # noqa: S704  # nosec B704


def stored_html(html: str | None, text: str, heading_ids: bool = True) -> Markup:
    """The HTML a row keeps (`html`, rendered when it was written) as safe markup; the text
    rendered now for a row written before rows kept it."""
    if html is None:
        return render_markdown(text, heading_ids)
    # What the row keeps is render_markdown's output; sanitising it again changes nothing
    # (sanitise is idempotent) and keeps the rule that only the sanitiser's output is safe.
    return Markup(sanitise(html))  # noqa: S704  # nosec B704


def plain_html(text: str) -> str:
    """The text as it was typed: escaped, a paragraph per blank line, line breaks kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "\n".join(f"<p>{escape(p.strip()).replace(chr(10), '<br>')}</p>"
                     for p in paragraphs)


def _html_of(text: str, heading_ids: bool) -> str:
    if not text.strip():
        return ""
    reason = _out_of_bounds(text)
    html = None
    if reason is None:
        try:
            html = _convert(text, heading_ids)
        except RenderFailed as exc:
            reason = str(exc)
        else:
            if _html_depth(html) > MAX_HTML_DEPTH:
                reason, html = "nested too deep", None
    if html is None:
        _log_once(reason, text)
        return plain_html(text)
    return html


# A block marker at the start of a line (after indentation or another marker): a quote,
# a bullet or a number followed by a space.
_MARKER = re.compile(r"[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))")


def _line_depth(line: str) -> int:
    indent = len(line) - len(line.lstrip(" \t"))
    depth = line[:indent].expandtabs(4).count(" ") // 4
    position = 0
    while depth <= MAX_DEPTH:
        match = _MARKER.match(line, position)
        if match is None or match.end() == position:
            break
        depth += 1
        position = match.end()
    return depth


def _out_of_bounds(text: str) -> str | None:
    """Why the text is not given to the converter at all (None: it is)."""
    if len(text) > MAX_SOURCE:
        return "too long"
    if any(_line_depth(line) > MAX_DEPTH for line in text.splitlines()):
        return "nested too deep"
    return None


_TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*?(/?)>")
_VOID = {"br", "hr", "img"}


def _html_depth(html: str) -> int:
    """How deep elements nest in the converter's HTML (after sanitising, the page's)."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if name in _VOID or self_closing:
            continue
        depth = depth - 1 if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


_logged: set[str] = set()


def _log_once(reason: str | None, text: str) -> None:
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
    if digest in _logged:
        return
    if len(_logged) > 10_000:
        _logged.clear()
    _logged.add(digest)
    log.warning("Markdown shown as plain text (%s): %d characters, sha256 %s", reason,
                len(text), digest)


# -- the converter process ---------------------------------------------------------------

def time_limit(text: str) -> float:
    """Seconds the converter may take: half a second and 20 µs a character, at most
    RENDER_SECONDS (real texts take far less: 190,000 characters of the plan
    templates, 0.9 s on a busy two-core machine)."""
    return min(RENDER_SECONDS, 0.5 + len(text) / 50_000)


class RenderFailed(Exception):
    """The converter raised, took too long, or could not be reached."""


class _Worker:
    """One converter process (core.markdown_worker) and its pipes."""

    def __init__(self):
        self.pid = os.getpid()
        self.process = subprocess.Popen(  # noqa: S603  # nosec B603 - our file, no shell
            [sys.executable, "-I", str(Path(markdown_worker.__file__))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        # Its start (Python, Markdown) does not count against the first text's time limit.
        try:
            ready = self._read(1, time.monotonic() + START_SECONDS)
        except RenderFailed:
            ready = b""
        if ready != markdown_worker.READY:
            self.stop()
            raise RenderFailed("converter did not start")

    def convert(self, text: str, heading_ids: bool) -> str:
        data = text.encode("utf-8", "replace")
        self.process.stdin.write(markdown_worker.HEADER.pack(int(heading_ids), len(data)) + data)
        self.process.stdin.flush()
        deadline = time.monotonic() + time_limit(text)
        status, length = markdown_worker.HEADER.unpack(self._read(markdown_worker.HEADER.size,
                                                                  deadline))
        answer = self._read(length, deadline).decode("utf-8", "replace")
        if status:
            raise RenderFailed(f"converter raised {answer}")
        return answer

    def _read(self, size: int, deadline: float) -> bytes:
        fd, chunks = self.process.stdout.fileno(), []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise RenderFailed("took too long")
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                raise RenderFailed("converter ended")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()


_idle: list[_Worker] = []  # list.pop and list.append are atomic
_slots = threading.BoundedSemaphore(MAX_WORKERS)


def _convert(text: str, heading_ids: bool) -> str:
    """Markdown → HTML (not yet sanitised) in a converter process; RenderFailed if it
    raised or took longer than its time limit (the process is then replaced)."""
    with _slots:
        worker = None
        try:
            worker = _idle_worker() or _Worker()
            html = worker.convert(text, heading_ids)
        except (RenderFailed, OSError, ValueError) as exc:
            if worker is not None:
                worker.stop()
            if isinstance(exc, RenderFailed):
                raise
            raise RenderFailed(str(exc) or type(exc).__name__) from exc
        _idle.append(worker)
        return html


def _idle_worker() -> _Worker | None:
    while _idle:
        try:
            worker = _idle.pop()
        except IndexError:
            return None
        if worker.pid == os.getpid():
            return worker
        # A forked server: the parent's process and pipes are not this one's to use.
    return None


def stop_workers() -> None:
    """End the idle converter processes (at exit; the next render starts another)."""
    while _idle:
        try:
            worker = _idle.pop()
        except IndexError:
            return
        if worker.pid == os.getpid():
            worker.stop()


atexit.register(stop_workers)


# -- headings ------------------------------------------------------------------------------

class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag) and dict(attrs).get("id"):
            self._open = (dict(attrs)["id"], [])

    def handle_endtag(self, tag):
        if self._open is not None and re.fullmatch(r"h[1-6]", tag):
            anchor, parts = self._open
            self.found.append((anchor, " ".join("".join(parts).split())))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)


def headings_in(html: str) -> list[tuple[str, str]]:
    """The (anchor id, title) of every heading of rendered HTML, for commenting on a
    section."""
    parser = _Headings()
    parser.feed(str(html))
    parser.close()
    return parser.found


def headings(text: str) -> list[tuple[str, str]]:
    """The (anchor id, title) of every heading of a Markdown text (none if it is shown as
    plain text)."""
    return headings_in(render_markdown(text))
