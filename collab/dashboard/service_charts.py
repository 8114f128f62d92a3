"""The dashboard's pictures as inline SVG: the network of who worked with whom (teachers on
a circle ordered by team and name, so that the same data always gives the same picture, and
a new colleague moves the others only a little), and small weekly bar charts with labelled
axes. The geometry first (`network`, `bars`), then the markup (`network_svg`, `bars_svg`),
written here rather than in Jinja because a school's network is hundreds of elements and a
term's charts two hundred bars: one string each instead of thousands of template
expressions (docs/dashboard.md, "Budgets"). The words come from the routes, translated;
every name is escaped."""

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

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


def network_svg(found: Network, title: str, alone: str) -> Markup:
    """The network as one <svg>: a line per pair (its names and times as a tooltip), a dot
    per teacher (hollow when `alone`), names around the circle when they fit."""
    size = found.size
    parts = [f'<svg viewBox="0 0 {size} {size}" role="img" aria-labelledby="network-svg-t">'
             f'<title id="network-svg-t">{escape(title)}</title>']
    parts += [f'<line x1="{ln.x1}" y1="{ln.y1}" x2="{ln.x2}" y2="{ln.y2}" stroke="#5f6b66" '
              f'stroke-opacity=".6" stroke-width="{ln.width}"><title>{escape(ln.title)}'
              '</title></line>' for ln in found.lines]
    note = f" ({escape(alone)})"
    for n in found.nodes:
        parts.append(
            f'<circle cx="{n.x}" cy="{n.y}" r="{NODE}" '
            f'fill="{"white" if n.isolated else n.colour}" stroke="{n.colour}" '
            f'stroke-width="{3 if n.isolated else 1}"><title>{escape(n.name)}'
            f'{note if n.isolated else ""}</title></circle>')
        if found.labelled:
            parts.append(f'<text x="{n.label_x}" y="{n.label_y}" text-anchor="{n.anchor}" '
                         f'font-size="12">{escape(n.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 - every name is escaped


def bars_svg(chart: Chart, title: str, id_: str, day) -> Markup:
    """A weekly bar chart as one <svg>: the y axis 0 to the largest count, the first and
    last week under the x axis, each bar's week and count as a tooltip. `day(week, "d MMM")`
    writes a week's Monday in the reader's language."""
    w, h, left, bottom, top = chart.width, chart.height, chart.left, chart.bottom, chart.top
    parts = [
        f'<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'aria-labelledby="{id_}-t"><title id="{id_}-t">{escape(title)}</title>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/>'
        f'<line x1="{left}" y1="{bottom}" x2="{w - 4}" y2="{bottom}" stroke="#333"/>'
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" font-size="11">'
        f'{chart.maximum}</text>'
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end" font-size="11">0</text>']
    parts += [f'<rect x="{b.x}" y="{b.y}" width="{b.width}" height="{b.height}" '
              f'fill="#0b6e99"><title>{escape(day(b.week, "d MMM"))}: {b.value}</title></rect>'
              for b in chart.bars]
    if chart.first:
        parts.append(
            f'<text x="{left}" y="{h - 6}" font-size="11">{escape(day(chart.first, "d MMM"))}'
            f'</text><text x="{w - 4}" y="{h - 6}" text-anchor="end" font-size="11">'
            f'{escape(day(chart.last, "d MMM"))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 - every word is escaped
