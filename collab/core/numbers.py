"""Whole numbers read from a request (query strings, form fields, URL parts), one rule for
all: ASCII digits only, and within the database's range.

`str.isdigit()` is true for "²" and "١٢", which `int()` refuses or reads; and an id beyond
PostgreSQL's `integer` (SQLite's 64 bits) makes the query fail. Either was a 500. A value
that is not such a number is None here (the caller's default or a 404), and URL rules'
`<int:…>` use IdConverter, whose ids past MAX_ID match no route (404)."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer, the type of every id column


def whole_number(value, maximum: int = MAX_ID) -> int | None:
    """`value` (a str) as an int from 0 to `maximum`, or None if it is anything else."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


class IdConverter(IntegerConverter):
    """`<int:…>` in URL rules: ASCII digits up to MAX_ID (Werkzeug's matches any size)."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
