"""Python-Markdown in a process of its own, so that no text can stall or break the app.

Python-Markdown has inputs that take time far beyond their size (9 KB of `<![CDATA[` takes
over ten seconds, 16 KB of `<a ` thirteen; both grow with the square of the length) and
inputs that raise (lists nested a few hundred deep). In the app's process such a text would
hold a gevent loop, or a thread, for minutes. Here it holds only this process, which
core.rendering kills after its time limit and starts again.

The file is run by path (`python -I markdown_worker.py`) and imports nothing of the app:
the child starts in a fraction of a second and holds only Markdown. Protocol on stdin and
stdout, one request at a time: a request is one flag byte (1: give headings ids) and the
text's UTF-8 length (4 bytes, big-endian), then the text; the answer is one status byte
(0: HTML follows, 1: the converter failed) and a length, then the HTML or the error's name.
Before the first request the process writes one byte, READY, once Markdown is loaded.
"""

import re
import struct
import sys

import markdown
from markdown.extensions.toc import slugify

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

HEADER = struct.Struct(">BI")


def converter(heading_ids: bool) -> markdown.Markdown:
    """A Markdown converter; without `heading_ids` (chat messages, many to a page) headings
    get no id that could clash with the page's own."""
    extensions = EXTENSIONS if heading_ids else [e for e in EXTENSIONS if e != "toc"]
    return markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS,
                             output_format="html")


def _read(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError
    return data


READY = b"R"


def serve(stdin, stdout) -> None:
    """Say READY, then answer requests until stdin closes."""
    parsers = {True: converter(True), False: converter(False)}
    stdout.write(READY)
    stdout.flush()
    while True:
        try:
            flag, length = HEADER.unpack(_read(stdin, HEADER.size))
            text = _read(stdin, length).decode("utf-8")
        except EOFError:
            return
        try:
            status, answer = 0, parsers[bool(flag)].reset().convert(text)
        except Exception as exc:  # RecursionError included: any failure is an answer
            status, answer = 1, type(exc).__name__
            parsers[bool(flag)] = converter(bool(flag))  # a fresh one, whatever state it left
        data = answer.encode("utf-8", "replace")
        stdout.write(HEADER.pack(status, len(data)) + data)
        stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
