"""The dashboard's long parts written once in Python rather than in Jinja: the network and
the weekly charts as inline SVG (a school's network is hundreds of elements, a term's charts
two hundred bars), the pairs table's rows (hundreds) and the teachers' figure cells. One
string each instead of thousands of template expressions, which were most of the page's
time (docs/dashboard.md, "Budgets"). The words come from the routes, translated; every name
and word is escaped here, numbers are numbers."""

from markupsafe import Markup, escape

from collab.dashboard.service_charts import NODE, Chart, Network


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


def pair_rows(rows: list) -> Markup:
    """The pairs table's body rows from service_figures.pair_rows: names, times, how."""
    return Markup("".join(  # noqa: S704  # nosec B704 - names and words escaped
        f"<tr><td>{escape(names)}</td><td>{int(times)}</td><td>{escape(how)}</td></tr>"
        for names, times, how in rows))


def cells(figures: dict, keys: list) -> Markup:
    """A teacher's (or a team's) figures as table cells, in the columns' order."""
    return Markup("".join(f"<td>{int(figures[key])}</td>" for key in keys))  # noqa: S704  # nosec B704 - whole numbers
