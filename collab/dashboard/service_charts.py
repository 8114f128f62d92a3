"""Geometry of the dashboard's pictures: the network of who worked with whom (teachers on a
circle ordered by team and name, so that the same data always gives the same picture, and a
new colleague moves the others only a little), and small weekly bar charts with labelled
axes. Numbers only; the templates draw them as inline SVG and add the words. What a dot
looks like (filled, or a hollow ring for a teacher without a colleague) is worked out here
once, not in the template for each of a school's teachers."""

import math
from dataclasses import dataclass

SIZE = 640
RADIUS = 200  # leaves room for the names around the circle
NODE = 7
LINES_UP_TO = 300  # the strongest pairs; more lines are a tangle (the table has them all)
LABELS_UP_TO = 40  # more names than this do not fit around the circle: the table has them
# Colours of teams (contrast at least 4.5:1 on white), then grey for no team.
PALETTE = ("#0b6e99", "#b5471b", "#2f7d32", "#7b3fa0", "#806600", "#a3195b", "#00767a",
           "#4d5b6b")
NO_TEAM = "#595959"


@dataclass
class Node:
    id: int
    name: str
    x: float
    y: float
    colour: str
    isolated: bool
    label_x: float
    label_y: float
    anchor: str

    @property
    def fill(self) -> str:
        return "white" if self.isolated else self.colour

    @property
    def ring(self) -> int:
        return 3 if self.isolated else 1


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    title: str


@dataclass
class Network:
    size: int
    nodes: list
    lines: list
    legend: list  # [(colour, team name)]
    labelled: bool
    left_out: int = 0  # pairs not drawn (weaker than the LINES_UP_TO strongest)


def _team_of(teacher) -> str:
    return teacher.teams[0][1] if teacher.teams else ""


def network(teachers: list, edges: list, isolated_ids: set) -> Network:
    """Teachers on a circle, ordered by their first team then name; an edge's width grows
    with how often the two worked together."""
    ordered = sorted(teachers, key=lambda t: (_team_of(t) == "", _team_of(t).lower(),
                                              t.name.lower(), t.id))
    teams = sorted({_team_of(t) for t in ordered if _team_of(t)}, key=str.lower)
    colours = {team: PALETTE[i % len(PALETTE)] for i, team in enumerate(teams)}
    centre = SIZE / 2
    nodes, where = [], {}
    count = max(len(ordered), 1)
    for i, teacher in enumerate(ordered):
        angle = 2 * math.pi * i / count - math.pi / 2
        x, y = centre + RADIUS * math.cos(angle), centre + RADIUS * math.sin(angle)
        lx = centre + (RADIUS + 14) * math.cos(angle)
        ly = centre + (RADIUS + 14) * math.sin(angle) + 4
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 \
            else "middle"
        where[teacher.id] = (x, y)
        nodes.append(Node(teacher.id, teacher.name, round(x, 1), round(y, 1),
                          colours.get(_team_of(teacher), NO_TEAM), teacher.id in isolated_ids,
                          round(lx, 1), round(ly, 1), anchor))
    heaviest = max((e.weight for e in edges), default=1)
    lines = []
    strongest = sorted(edges, key=lambda e: (-e.weight, e.first.id, e.second.id))
    for edge in sorted(strongest[:LINES_UP_TO], key=lambda e: (e.first.id, e.second.id)):
        if edge.first.id not in where or edge.second.id not in where:
            continue
        (x1, y1), (x2, y2) = where[edge.first.id], where[edge.second.id]
        width = 1 + 5 * math.log1p(edge.weight) / math.log1p(heaviest)
        lines.append(Line(round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1),
                          round(width, 1), f"{edge.first.name} – {edge.second.name}: "
                                           f"{edge.weight}"))
    legend = [(colours[t], t) for t in teams]
    if any(not t.teams for t in ordered):
        legend.append((NO_TEAM, ""))
    return Network(SIZE, nodes, lines, legend, len(ordered) <= LABELS_UP_TO,
                   max(len(edges) - LINES_UP_TO, 0))


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    week: object


@dataclass
class Chart:
    width: int
    height: int
    left: int
    bottom: int
    top: int
    bars: list
    maximum: int
    first: object
    last: object


def bars(series: list, width: int = 300, height: int = 130) -> Chart:
    """A bar per week; the y axis from 0 to the largest count (at least 1)."""
    left, bottom, top, right = 34, 24, 8, 6
    maximum = max((n for _week, n in series), default=0) or 1
    plot_w, plot_h = width - left - right, height - bottom - top
    step = plot_w / max(len(series), 1)
    found = []
    for i, (week, n) in enumerate(series):
        h = plot_h * n / maximum
        found.append(Bar(round(left + i * step + step * 0.15, 1), round(top + plot_h - h, 1),
                         round(max(step * 0.7, 1), 1), round(h, 1), n, week))
    return Chart(width, height, left, height - bottom, top, found, maximum,
                 series[0][0] if series else None, series[-1][0] if series else None)

