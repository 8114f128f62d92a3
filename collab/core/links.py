"""Links inside the site: which targets of a redirect or a notification stay on it, and
where a stored link leads (`Target`: an endpoint and its values, turned into a path only when
needed, by the app's URL map, so services never write a path by hand).

Every absolute link (a mail's, a calendar feed's address and events) is `absolute_url`: the
configured BASE_URL and the path, never the request's Host header, which anyone can set
(a reset asked for with `Host: evil.example` would otherwise mail a working token to that host).
"""

from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from flask import current_app

# The characters Flask's url_for leaves unquoted in an #anchor: path_for quotes the same way.
_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"


@dataclass(frozen=True)
class Target:
    """Where a link leads: an endpoint of the app, the values its URL rule needs and an optional
    #anchor. Stored as data (`as_dict`), built into a path with url_for or `path_for`."""

    endpoint: str
    values: dict = field(default_factory=dict)
    anchor: str = ""

    def as_dict(self) -> dict:
        return {"endpoint": self.endpoint, "values": dict(self.values), "anchor": self.anchor}

    @classmethod
    def from_dict(cls, data) -> "Target":
        """The target stored by `as_dict`; ValueError when `data` is not one."""
        if not isinstance(data, dict):
            raise ValueError("a stored target is a mapping")
        endpoint, values = data.get("endpoint"), data.get("values") or {}
        anchor = data.get("anchor") or ""
        if not isinstance(endpoint, str) or not isinstance(values, dict) or not isinstance(
                anchor, str) or any(not isinstance(k, str) or k.startswith("_") for k in values):
            raise ValueError("malformed stored target")
        return cls(endpoint, dict(values), anchor)


def path_for(target: Target) -> str:
    """The site path of `target`, #anchor included, from the app's URL map: needs an app but no
    request (CLI commands, the e-mails sent after a commit). Raises werkzeug's BuildError for an
    unknown endpoint or missing values."""
    path = current_app.url_map.bind("localhost").build(target.endpoint, target.values)
    if target.anchor:
        path = f"{path}#{quote(target.anchor, safe=_ANCHOR_SAFE)}"
    return path


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


def base_url() -> str:
    """The site's configured address (BASE_URL), without a trailing slash."""
    return current_app.config["BASE_URL"].rstrip("/")


def absolute_url(target: "Target | str") -> str:
    """The absolute address of a target or of a site path: BASE_URL and the path (a
    deployment under a prefix puts the prefix in BASE_URL)."""
    path = path_for(target) if isinstance(target, Target) else target
    if safe_next(path, fallback="") != path:
        raise ValueError("absolute links are built from paths inside the site")
    return base_url() + path
