"""The text the app takes in, the same rule for every transport (forms, query strings, JSON
bodies, Socket.IO payloads): no NUL byte, no lone UTF-16 surrogate, and JSON nested at most
MAX_NESTING deep.

No person types a NUL byte and PostgreSQL refuses one in text; a lone surrogate (JSON's
`"\\ud800"`) cannot be written as UTF-8 at all, so either would fail deep inside a service
or the database (a 500, or a row SQLite keeps and PostgreSQL would refuse). Refusing them at
the door gives a 400 over HTTP and `bad_request` over Socket.IO instead. JSON nested
thousands deep makes Python's parser raise RecursionError, which is not a ValueError."""

import json
import re

from flask.json.provider import DefaultJSONProvider

MAX_NESTING = 32

# A NUL, or a surrogate code point (only ever alone in a str: a pair decodes to one char).
_REFUSED = re.compile("[\x00\ud800-\udfff]")


def is_clean(value: str) -> bool:
    """True if the string holds no NUL byte and no lone surrogate."""
    return _REFUSED.search(value) is None


def refused(value, depth: int = 0) -> bool:
    """True if `value` (a string, or lists and dicts of them as JSON gives) holds a string or
    key that is not clean, or nests deeper than MAX_NESTING."""
    if isinstance(value, str):
        return not is_clean(value)
    if depth >= MAX_NESTING and isinstance(value, dict | list | tuple):
        return True
    if isinstance(value, dict):
        return any(refused(k, depth + 1) or refused(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(refused(item, depth + 1) for item in value)
    return False


def checked_loads(text, loads=json.loads, **kwargs):
    """`loads(text)` (json.loads by default), refusing what `refused` refuses, and JSON
    nested beyond the parser's recursion limit, as malformed JSON: a ValueError. Cheap on
    hostile input: CPython's parser stops at the recursion limit (about a thousand levels),
    and `refused` looks no deeper than MAX_NESTING."""
    try:
        value = loads(text, **kwargs)
    except RecursionError as exc:
        raise ValueError("JSON nested too deep") from exc
    if refused(value):
        raise ValueError("JSON with a NUL byte, a lone surrogate or too deep")
    return value


class CheckedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what `checked_loads` refuses as malformed JSON (a ValueError),
    so a request's get_json answers it as it answers broken JSON."""

    def loads(self, s, **kwargs):
        return checked_loads(s, super().loads, **kwargs)


class CheckedJSON:
    """The same, as the json module Socket.IO and engine.io take (`json=`): every packet's
    JSON is checked before any handler sees it (collab/realtime: CheckedPacket)."""

    dumps = staticmethod(json.dumps)
    loads = staticmethod(checked_loads)
