"""The growth chart's layout (issue 15, bug 10): across in per cent so it fills its card, the
rubric's levels as the y scale, dates written as everywhere and never more than four."""

from datetime import date, timedelta
from types import SimpleNamespace

from flask_babel import force_locale

from collab import create_app
from collab.assessments import growth_chart
from collab.assessments.service_growth import GrowthPoint

LEVELS = [SimpleNamespace(score=s, label=f"L{s}") for s in (1, 2, 3, 4)]


def test_points_fill_the_width_and_the_levels_make_the_scale():
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    start = date(2026, 9, 1)
    points = [GrowthPoint(start + timedelta(weeks=n), 40 + 5 * n, 50 if n % 2 else None)
              for n in range(6)]
    with app.test_request_context(), force_locale("en"):
        chart = growth_chart.layout(points, LEVELS)
    xs = [m.x for m in chart.marks]
    assert xs[0] == growth_chart.LEFT and xs[-1] == growth_chart.RIGHT and xs == sorted(xs)
    dated = [m for m in chart.marks if m.date]
    assert len(dated) == 4 and dated[0].date == "Sep 1, 2026"
    assert (dated[0].anchor, dated[-1].anchor) == ("start", "end")  # never cut at an edge
    assert [label for _y, label in chart.levels] == ["L1", "L2", "L3", "L4"]
    top = chart.levels[-1][0]
    assert top == growth_chart.TOP and chart.levels[0][0] == growth_chart.BASE - (
        growth_chart.BASE - growth_chart.TOP) / 4
    assert len(chart.peers) == 5 and len(chart.own) == 2  # self only where there is one
    assert all(growth_chart.TOP <= m.y <= growth_chart.BASE for m in chart.marks)
