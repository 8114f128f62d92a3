"""Reading the demo's data files and checking their shape, with errors that name the file.

A shape is written with plain Python values:

- `str`, `int`, `bool`: a JSON string, a whole number (not true/false), true/false;
- `DATE`, `TIME`: a string "2026-07-13" or "07:00", given back as a `date` or a `time`;
- `HANDLE`: the local part of a demo person's e-mail address ("guru01"), one of those known;
- `OneOf("a", "b")`: one of these strings;
- `[shape]`: a list whose every item has that shape;
- `{"key": shape, "other?": shape}`: an object with exactly these keys; a key ending in "?"
  may be left out, and `Default(shape, value)` gives the value to use when it is;
- `{str: shape}`: an object with any keys, every value of that shape.

`check` gives back the checked value, with dates and times converted and defaults filled in.
"""

import json
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

DATE = "<date>"
TIME = "<time>"
HANDLE = "<handle>"
NAMES = {str: "text", int: "a whole number", bool: "true or false", DATE: 'a date "YYYY-MM-DD"',
         TIME: 'a time "HH:MM"', HANDLE: "a demo person's handle"}


class DemoDataError(ValueError):
    """A demo data file is missing, unreadable, not valid JSON or not of the expected shape.
    The message starts with the file's path."""


@dataclass(frozen=True)
class OneOf:
    """One of a few strings."""

    choices: tuple[str, ...]

    def __init__(self, *choices: str):
        object.__setattr__(self, "choices", choices)


@dataclass(frozen=True)
class Default:
    """The shape of an optional key, and the value it takes when the key is left out."""

    shape: Any
    value: Any


def read_text(path: Path) -> str:
    """The text of a UTF-8 file that is there and not empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DemoDataError(f"{path}: the file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DemoDataError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    if not text.strip():
        raise DemoDataError(f"{path}: the file is empty")
    return text


def read_json(path: Path, shape, handles: frozenset[str] = frozenset()):
    """The value in a JSON file, checked against `shape` (see the module's docstring)."""
    try:
        value = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise DemoDataError(
            f"{path}: not valid JSON, line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    return Checker(path, handles).check(value, shape, "")


def describe(shape) -> str:
    """A shape in words, for error messages."""
    if isinstance(shape, OneOf):
        return "one of " + ", ".join(repr(c) for c in shape.choices)
    if isinstance(shape, list):
        return "a list"
    if isinstance(shape, dict):
        return "an object"
    return NAMES.get(shape, str(shape))


class Checker:
    """Checks values read from one file; `fail` raises a DemoDataError naming it."""

    def __init__(self, path: Path, handles: frozenset[str] = frozenset()):
        self.path = path
        self.handles = handles

    def fail(self, where: str, message: str):
        raise DemoDataError(f"{self.path}: {where or 'the file'}: {message}")

    def check(self, value, shape, where: str):
        if isinstance(shape, list):
            if not isinstance(value, list):
                self._wrong(value, shape, where)
            return [self.check(item, shape[0], f"{where}[{n}]") for n, item in enumerate(value)]
        if isinstance(shape, dict):
            if not isinstance(value, dict):
                self._wrong(value, shape, where)
            if list(shape) == [str]:
                return {key: self.check(item, shape[str], _join(where, key))
                        for key, item in value.items()}
            return self._object(value, shape, where)
        return self._scalar(value, shape, where)

    def _object(self, value: dict, shape: dict, where: str) -> dict:
        keys = {key.rstrip("?"): key for key in shape}
        unknown = [key for key in value if key not in keys]
        if unknown:
            self.fail(_join(where, unknown[0]), f"unknown key (expected one of {', '.join(keys)})")
        checked = {}
        for name, key in keys.items():
            item_shape = shape[key]
            default = isinstance(item_shape, Default)
            if default:
                item_shape = item_shape.shape
            if name in value:
                checked[name] = self.check(value[name], item_shape, _join(where, name))
            elif not key.endswith("?"):
                self.fail(_join(where, name), "missing")
            elif default:
                checked[name] = shape[key].value
        return checked

    def _scalar(self, value, shape, where: str):
        if isinstance(shape, OneOf):
            if value not in shape.choices:
                self._wrong(value, shape, where)
            return value
        if shape is int:
            if not isinstance(value, int) or isinstance(value, bool):
                self._wrong(value, shape, where)
            return value
        if shape is bool or shape is str:
            if not isinstance(value, shape):
                self._wrong(value, shape, where)
            return value
        if not isinstance(value, str):
            self._wrong(value, shape, where)
        return self._special_text(value, shape, where)

    def _special_text(self, value: str, shape, where: str):
        """A handle, a date or a time, written as text."""
        if shape == HANDLE:
            if value not in self.handles:
                self.fail(where, f"no demo person has the handle {value!r}")
            return value
        if shape not in (DATE, TIME):
            raise TypeError(f"not a shape: {shape!r}")
        try:
            return date.fromisoformat(value) if shape == DATE else time.fromisoformat(value)
        except ValueError:
            return self._wrong(value, shape, where)

    def _wrong(self, value, shape, where: str):
        found = json.dumps(value, ensure_ascii=False)
        self.fail(where, f"expected {describe(shape)}, found {found[:60]}")


def _join(where: str, key) -> str:
    return f"{where}.{key}" if where else str(key)
