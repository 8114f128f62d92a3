"""Links inside the site: which targets of a redirect or a notification stay on it."""

from urllib.parse import urlsplit


def safe_next(target: str | None, fallback: str = "/") -> str:
    """`target` if it is a path inside this site, else `fallback`."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
