"""Page weight: the bytes a browser receives for a page's first view.

A first view is the page's HTML plus every same-origin stylesheet and script it links, each
fetched with `Accept-Encoding: br, gzip` and counted as sent: the body length with whatever
Content-Encoding the server chose (Flask-Compress), headers not included.
"""

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bench.harness import ACCEPT_ENCODING, DEMO_TEACHER, decode_body, logged_in_client, parse_page

BASE_URL = "http://localhost/"
# The room page's first view, the vendored Socket.IO client and the room's script included
# (issue 5): at most 60 KB.
ROOM_PAGE_BUDGET_BYTES = 60_000


@dataclass
class Resource:
    """One response as sent: its path, encoding and sizes (sent and decoded)."""

    path: str
    encoding: str
    sent_bytes: int
    raw_bytes: int


@dataclass
class FirstView:
    """A page and the stylesheets and scripts it links."""

    page: str
    resources: list[Resource] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(r.sent_bytes for r in self.resources)

    def as_dict(self) -> dict:
        return {
            "page": self.page,
            "total_bytes": self.total_bytes,
            "resources": [vars(r) for r in self.resources],
        }


def fetch(client, path: str) -> tuple[Resource, bytes]:
    """GET `path` compressed; return what was sent and the decoded body."""
    response = client.get(path, headers={"Accept-Encoding": ACCEPT_ENCODING})
    try:
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered HTTP {response.status_code}")
        sent = response.get_data()
        encoding = response.headers.get("Content-Encoding", "identity")
    finally:
        response.close()
    body = decode_body(sent, encoding)
    return Resource(path, encoding, len(sent), len(body)), body


def same_origin_paths(page_path: str, links: list[str]) -> list[str]:
    """The links that stay on this site, as request paths (query string kept)."""
    paths = []
    for link in links:
        url = urlsplit(urljoin(urljoin(BASE_URL, page_path), link))
        if url.netloc == urlsplit(BASE_URL).netloc and url.path not in paths:
            paths.append(url.path + (f"?{url.query}" if url.query else ""))
    return paths


def first_view(client, page_path: str) -> FirstView:
    """Measure `page_path` and everything same-origin it links."""
    page, body = fetch(client, page_path)
    parsed = parse_page(body.decode("utf-8"))
    view = FirstView(page_path, [page])
    for path in same_origin_paths(page_path, parsed.stylesheets + parsed.scripts):
        view.resources.append(fetch(client, path)[0])
    return view


def demo_team_room(app) -> int:
    """The id of the demo's team room (MGMP Matematika: guru01, guru02, guru09)."""
    from sqlalchemy import select

    from collab.extensions import db
    from collab.people.models import Team
    from collab.rooms.models import Room

    with app.app_context():
        room_id = db.session.scalar(select(Room.id).join(Team, Team.id == Room.team_id)
                                    .where(Team.name == "MGMP Matematika"))
        db.session.remove()
    if room_id is None:
        raise RuntimeError("the demo data has no team room")
    return room_id


def run(app) -> dict[str, FirstView]:
    """First views of the login page (anonymous), the home page and the demo team room
    (demo teacher)."""
    teacher = logged_in_client(app, DEMO_TEACHER)
    return {
        "login": first_view(app.test_client(), "/auth/login"),
        "home_teacher": first_view(teacher, "/"),
        "room_teacher": first_view(teacher, f"/rooms/{demo_team_room(app)}"),
    }
