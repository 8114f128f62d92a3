"""The text the app takes in, the same rule for every transport (forms, query strings, JSON
bodies, Socket.IO payloads): no NUL byte, no lone UTF-16 surrogate, and JSON nested at most
MAX_NESTING deep.

No person types a NUL byte and PostgreSQL refuses one in text; a lone surrogate (JSON's
`"\\ud800"`) cannot be written as UTF-8 at all, so either would fail deep inside a service
or the database (a 500, or a row SQLite keeps and PostgreSQL would refuse). Refusing them at
the door gives a 400 over HTTP and `bad_request` over Socket.IO instead. JSON nested
thousands deep makes Python's parser raise RecursionError, which is not a ValueError."""

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


class CheckedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what `refused` refuses as malformed JSON (a ValueError), so a
    request's get_json answers it as it answers broken JSON."""

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deep") from exc
        if refused(value):
            raise ValueError("JSON with a NUL byte, a lone surrogate or too deep")
        return value
