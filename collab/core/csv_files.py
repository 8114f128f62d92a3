"""Reading an uploaded CSV file the same way for every import: the bytes decoded (UTF-8,
with or without its byte-order mark; UTF-16 and binary refused), the separator taken from
the header row (a comma; a semicolon, as Excel writes "CSV" where the decimal mark is a comma,
as in Indonesia; or a tab), a header row required, blank rows skipped, and a cap on the
number of rows."""

import csv
import io

MAX_ROWS = 500


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, no header, too many rows)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def decode_csv_bytes(data: bytes) -> str | None:
    """The text of an uploaded file (UTF-8, byte-order mark or not), or None if it is not."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    # NUL bytes mean UTF-16 (the "Unicode text" of spreadsheets) or not text at all; the
    # page asks for "CSV UTF-8" instead. PostgreSQL would refuse them in a stored value.
    return None if "\x00" in text else text


def separator(text: str) -> str:
    """The separator of the header row: whichever of comma, semicolon and tab it has most
    of (a comma when it has none)."""
    header = text.split("\n", 1)[0]
    counts = {mark: header.count(mark) for mark in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def rows_of(text: str) -> list[list[str]]:
    """Every row of a CSV text as lists of cells (separator from the header row), each cell
    as safe_cell wrote it undone. Raises ImportFileError("cell_long")."""
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=separator(text)))
    except csv.Error as exc:
        raise ImportFileError("cell_long") from exc
    return [[unescape_cell(cell) for cell in row] for row in rows]


def read_csv(text: str, required: tuple[str, ...], max_rows: int = MAX_ROWS
             ) -> list[tuple[int, dict]]:
    """The non-blank rows of a CSV text as (line number, {lower-case column: cell}).

    Raises ImportFileError("empty" | "header" | "too_many" | "cell_long"); a cell that
    starts with an apostrophe before a formula start (safe_cell) reads as it was written."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError("empty")
    reader = csv.DictReader(io.StringIO(text), delimiter=separator(text))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if not all(col in header for col in required):
            raise ImportFileError("header")
        reader.fieldnames = header
        rows = []
        for record in reader:
            if len(rows) >= max_rows:
                raise ImportFileError("too_many")
            if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
                continue
            # The reader's line number, not a count of records: blank lines are skipped by
            # the reader, and the preview must name the row the principal sees in the file.
            rows.append((reader.line_num, {k: unescape_cell(v) if isinstance(v, str) else v
                                           for k, v in record.items()}))
    except csv.Error as exc:  # a cell over csv.field_size_limit() (131,072 characters)
        raise ImportFileError("cell_long") from exc
    if not rows:
        raise ImportFileError("empty")
    return rows


def split_list(cell: str | None) -> list[str]:
    """'Matematika; IPA' -> ['Matematika', 'IPA'] (commas accepted too, empties dropped)."""
    parts = (cell or "").replace(",", ";").split(";")
    return [p.strip() for p in parts if p.strip()]


# Cells a spreadsheet would read as a formula (OWASP "CSV injection"): the ones that start
# with one of these get a leading apostrophe, which Excel and LibreOffice show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs: None → "", a leading =, +, -, @,
    tab or carriage return escaped with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """The value safe_cell wrote: the apostrophe it put before a formula start removed, so
    a file the app wrote reads back as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def write_csv(rows) -> str:
    """The text of a CSV file the app hands out: a byte-order mark (so Excel opens UTF-8
    with its accents), every cell through safe_cell. Numbers stay numbers."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([cell if isinstance(cell, (int, float)) and not isinstance(cell, bool)
                         else safe_cell(cell) for cell in row])
    return out.getvalue()
