"""A lesson plan as a file to take away: Markdown as written, or a Word document (python-docx)
built from the sanitised HTML of core.rendering, keeping headings, emphasis, lists, tables
and code blocks.

The caller passes the metadata as (label, value) pairs already in the reader's language, so
nothing here depends on a request.
"""

import io
import re
import unicodedata
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from urllib.parse import quote

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKDOWN_MIMETYPE = "text/markdown; charset=utf-8"
MONOSPACE = "Courier New"
ALIGNMENTS = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
              "left": WD_ALIGN_PARAGRAPH.LEFT}

Facts = list[tuple[str, str]]


# ---------------------------------------------------------------- names and Markdown


def filenames(title: str, extension: str) -> tuple[str, str]:
    """The download name of an export: (plain ASCII name, full UTF-8 name), e.g.
    ("pecahan-kelas-7.docx", "Pecahan – kelas 7.docx")."""
    # Accents drop ("é" → "e"); any other sign separates words ("½" → "1-2").
    plain = "".join(c for c in unicodedata.normalize("NFKD", title)
                    if not unicodedata.combining(c))
    plain = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()[:80].strip("-") or "plan"
    full = " ".join(re.sub(r'[\x00-\x1f\x7f/\\"]', " ", title).split())[:150] or plain
    return f"{plain}.{extension}", f"{full}.{extension}"


def content_disposition(title: str, extension: str) -> str:
    """A Content-Disposition value offering the export as a download, with an ASCII name for
    old clients and the UTF-8 title (RFC 5987) for the others."""
    plain, full = filenames(title, extension)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(full, safe='')}"


def markdown_document(title: str, facts: Facts, body: str) -> str:
    """The plan as one Markdown file: its title, a short list of facts, then its text."""
    lines = [f"# {' '.join(title.split())}", ""]
    shown = [f"- **{label}:** {' '.join(value.split())}" for label, value in facts if value]
    if shown:
        lines += [*shown, "", "---", ""]
    lines.append((body or "").replace("\r\n", "\n").strip("\n"))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- HTML → a small tree


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)


VOID_TAGS = {"br", "hr", "img"}


class _TreeBuilder(HTMLParser):
    """Turns the (already sanitised, well-nested) HTML into Nodes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    """The HTML fragment as a tree rooted at a Node tagged "root"."""
    builder = _TreeBuilder()
    builder.feed(str(html))
    builder.close()
    return builder.root


# ---------------------------------------------------------------- inline content


@dataclass(frozen=True)
class Format:
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    superscript: bool = False
    subscript: bool = False


INLINE_FORMATS = {
    "strong": "bold", "b": "bold", "em": "italic", "i": "italic", "code": "code",
    "del": "strike", "sup": "superscript", "sub": "subscript",
}


def _add_text(paragraph, text: str, fmt: Format) -> None:
    if not text:
        return
    run = paragraph.add_run(text)
    run.bold = fmt.bold or None
    run.italic = fmt.italic or None
    if fmt.strike:
        run.font.strike = True
    if fmt.superscript:
        run.font.superscript = True
    if fmt.subscript:
        run.font.subscript = True
    if fmt.code:
        run.font.name = MONOSPACE


def add_inline(paragraph, nodes, fmt: Format | None = None) -> None:
    """Append text and inline markup to `paragraph` as runs; whitespace as a browser would."""
    fmt = fmt or Format()
    for node in nodes:
        if isinstance(node, str):
            _add_text(paragraph, re.sub(r"\s+", " ", node), fmt)
        elif node.tag in INLINE_FORMATS:
            add_inline(paragraph, node.children, replace(fmt, **{INLINE_FORMATS[node.tag]: True}))
        elif node.tag == "br":
            paragraph.add_run().add_break()
        elif node.tag == "img":
            alt = (node.attrs.get("alt") or "").strip()
            _add_text(paragraph, f"[{alt}]" if alt else "[image]", fmt)
        elif node.tag == "a":
            _add_link(paragraph, node, fmt)
        else:
            add_inline(paragraph, node.children, fmt)


def _add_link(paragraph, node: Node, fmt: Format) -> None:
    add_inline(paragraph, node.children, fmt)
    href = node.attrs.get("href") or ""
    if href and href != _text_of(node).strip():
        _add_text(paragraph, f" ({href.removeprefix('mailto:')})", fmt)


def _text_of(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    return "".join(_text_of(child) for child in node.children)


def _strip_edges(paragraph) -> None:
    """Drop the spaces left at the start and end of a paragraph by source line breaks."""
    runs = paragraph.runs
    if runs and runs[0].text:
        runs[0].text = runs[0].text.lstrip()
    if runs and runs[-1].text:
        runs[-1].text = runs[-1].text.rstrip()


# ---------------------------------------------------------------- blocks


class DocxWriter:
    """Walks the HTML tree and writes the matching Word blocks into `document`."""

    def __init__(self, document):
        self.document = document
        self.blocks = {
            "p": self.paragraph, "pre": self.code_block, "ul": self.bullet_list,
            "ol": self.numbered_list, "table": self.table, "blockquote": self.quote,
            "hr": self.rule, "dl": self.definitions,
            **{f"h{level}": self.heading for level in range(1, 7)},
        }

    def write(self, nodes, style: str | None = None) -> None:
        """Write a sequence of block nodes; loose inline content gathers into paragraphs."""
        loose: list = []
        for node in nodes:
            if isinstance(node, Node) and node.tag in self.blocks:
                self._flush_loose(loose, style)
                self.blocks[node.tag](node, style)
            else:
                loose.append(node)
        self._flush_loose(loose, style)

    def _flush_loose(self, loose: list, style: str | None) -> None:
        if _has_content(loose):
            self.paragraph(Node("p", children=list(loose)), style)
        loose.clear()

    def paragraph(self, node: Node, style: str | None = None):
        paragraph = self.document.add_paragraph(style=style)
        add_inline(paragraph, node.children)
        _strip_edges(paragraph)
        return paragraph

    def heading(self, node: Node, style: str | None = None) -> None:
        paragraph = self.document.add_heading(level=int(node.tag[1]))
        add_inline(paragraph, node.children)
        _strip_edges(paragraph)

    def code_block(self, node: Node, style: str | None = None) -> None:
        paragraph = self.document.add_paragraph(style="No Spacing")
        lines = _text_of(node).rstrip("\n").split("\n")
        for index, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.font.name = MONOSPACE
            run.font.size = Pt(9.5)
            if index < len(lines) - 1:
                run.add_break()

    def quote(self, node: Node, style: str | None = None) -> None:
        self.write(node.children, style="Quote")

    def rule(self, node: Node, style: str | None = None) -> None:
        paragraph = self.document.add_paragraph()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                           ("w:color", "999999")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        paragraph._p.get_or_add_pPr().append(borders)

    def definitions(self, node: Node, style: str | None = None) -> None:
        for item in _elements(node):
            paragraph = self.paragraph(item)
            if item.tag == "dt":
                for run in paragraph.runs:
                    run.bold = True
            else:
                paragraph.paragraph_format.left_indent = Pt(18)

    # Lists ------------------------------------------------------------------------------

    def bullet_list(self, node: Node, style: str | None = None, depth: int = 1) -> None:
        self._list(node, "List Bullet", depth, numbering=None)

    def numbered_list(self, node: Node, style: str | None = None, depth: int = 1) -> None:
        style_name = _list_style("List Number", depth)
        start = _int(node.attrs.get("start"), 1)
        self._list(node, "List Number", depth, numbering=self._restart(style_name, start))

    def _list(self, node: Node, base_style: str, depth: int, numbering: int | None) -> None:
        style_name = _list_style(base_style, depth)
        for item in _elements(node, "li"):
            inline, blocks = _split_item(item.children)
            paragraph = self.document.add_paragraph(style=style_name)
            add_inline(paragraph, inline)
            _strip_edges(paragraph)
            if numbering is not None:
                _set_numbering(paragraph, numbering)
            self._item_blocks(blocks, depth)

    def _item_blocks(self, blocks: list[Node], depth: int) -> None:
        """Nested lists go one level deeper; further paragraphs continue the item."""
        for block in blocks:
            if block.tag == "ul":
                self.bullet_list(block, depth=depth + 1)
            elif block.tag == "ol":
                self.numbered_list(block, depth=depth + 1)
            else:
                self.write([block], style=_list_style("List Continue", depth))

    def _restart(self, style_name: str, start: int) -> int:
        """A new numbering instance for one list, so every list counts from its own start."""
        numbering = self.document.part.numbering_part.numbering_definitions._numbering
        style_num_id = self.document.styles[style_name].element.pPr.numPr.numId.val
        abstract_id = numbering.num_having_numId(style_num_id).abstractNumId.val
        num = numbering.add_num(abstract_id)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        return num.numId

    # Tables -----------------------------------------------------------------------------

    def table(self, node: Node, style: str | None = None) -> None:
        rows = list(_descendants(node, "tr"))
        width = max((len(_elements(row, "th", "td")) for row in rows), default=0)
        if not rows or not width:
            return
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = self.document.styles["Table Grid"]
        for row_node, row in zip(rows, table.rows, strict=True):
            cells = _elements(row_node, "th", "td")
            if cells and all(cell.tag == "th" for cell in cells):
                _repeat_as_header(row)
            for cell_node, cell in zip(cells, row.cells, strict=False):
                paragraph = cell.paragraphs[0]
                bold = cell_node.tag == "th"
                add_inline(paragraph, cell_node.children, Format(bold=bold))
                _strip_edges(paragraph)
                if cell_node.attrs.get("align") in ALIGNMENTS:
                    paragraph.alignment = ALIGNMENTS[cell_node.attrs["align"]]
        self.document.add_paragraph()


def _elements(node: Node, *tags: str) -> list[Node]:
    return [c for c in node.children if isinstance(c, Node) and (not tags or c.tag in tags)]


def _descendants(node: Node, tag: str):
    for child in _elements(node):
        if child.tag == tag:
            yield child
        elif child.tag != "table":
            yield from _descendants(child, tag)


ITEM_BLOCKS = {"p", "ul", "ol", "pre", "table", "blockquote", "dl"}


def _has_content(nodes) -> bool:
    return any(isinstance(n, Node) or n.strip() for n in nodes)


def _split_item(children) -> tuple[list, list[Node]]:
    """A list item's own text, and the blocks after it. In a loose list the text sits in a
    first <p>, which becomes the item's line."""
    inline: list = []
    blocks: list[Node] = []
    for child in children:
        is_block = isinstance(child, Node) and child.tag in ITEM_BLOCKS
        if is_block and child.tag == "p" and not blocks and not _has_content(inline):
            inline = list(child.children)
        elif is_block:
            blocks.append(child)
        elif not blocks:
            inline.append(child)
        elif _has_content([child]):
            blocks.append(Node("p", children=[child]))
    return inline, blocks


def _list_style(base: str, depth: int) -> str:
    return base if depth <= 1 else f"{base} {min(depth, 3)}"


def _set_numbering(paragraph, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def _repeat_as_header(row) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _int(value, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- the document


def docx_document(title: str, facts: Facts, html: str) -> bytes:
    """The plan as a Word document: title, the facts in a small table, then its text."""
    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)
    shown = [(label, value) for label, value in facts if value]
    if shown:
        table = document.add_table(rows=len(shown), cols=2)
        for (label, value), row in zip(shown, table.rows, strict=True):
            row.cells[0].paragraphs[0].add_run(label).bold = True
            row.cells[1].paragraphs[0].add_run(value)
        document.add_paragraph()
    DocxWriter(document).write(parse_html(html).children)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
