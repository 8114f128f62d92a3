"""Dashboard pages: /dashboard/ (the school, the principal's), /dashboard/me (every
teacher: what the principal sees about them), /dashboard/teachers/<id> (the principal's page
of one teacher, the same as theirs), the two CSV files and the print view."""

from flask import Response, redirect, render_template, request, url_for
from flask_babel import format_date, gettext
from flask_login import current_user

from collab.core.forms import show_refusal
from collab.core.i18n import show_date
from collab.dashboard import access, bp
from collab.dashboard import service as periods
from collab.dashboard import service_charts as charts
from collab.dashboard import service_exports as exports
from collab.dashboard import service_figures as figures
from collab.dashboard.forms import PeriodForm
from collab.dashboard.service import PeriodError
from collab.people.access import current_school


class _Days(dict):
    """A date in the reader's language, made once per page: a term's weeks are shown in
    eight charts and a table, the same few days in every row."""

    def __call__(self, day, fmt=None):
        key = (day, fmt)
        if key not in self:
            self[key] = "" if not day else show_date(day) if fmt is None else \
                format_date(day, fmt)
        return self[key]


def _words(pairs) -> list:
    """(key, label) with the label in the reader's language once, not at each use."""
    return [(key, str(label)) for key, label in pairs]


def _labels(names: dict) -> dict:
    return {key: str(label) for key, label in names.items()}


def _observation_lines(found, day) -> list:
    """The observations by week as (week, [(what, state)]): the words of a line looked up
    once for the page (gettext without arguments gives the translation to fill in)."""
    period_word, observers_word = gettext("period %(n)d"), gettext("observers: %(names)s")
    states = _labels(figures.STATE_NAMES)
    return [(week, [(" · ".join(filter(None, (
        day(o.lesson_date), period_word % {"n": o.period}, o.class_name,
        found.names([o.teacher_id]),
        observers_word % {"names": found.names(o.observers)} if o.observers else ""))),
        states[o.state]) for o in rows]) for week, rows in found.observations]


def _words_for_pages(quiet_days: int) -> dict:
    """What every dashboard page shows in many places, translated once."""
    return {"columns": _words(figures.COLUMNS), "trend_kinds": _words(figures.TREND_KINDS),
            "state_names": _labels(figures.STATE_NAMES), "day": _Days(),
            "flag_words": _labels(figures.flag_texts(quiet_days))}


def _period(school):
    """The period the page asks for (a wrong one: the form says why, this term is shown),
    the days before a teacher is flagged, and the form."""
    form = PeriodForm(request.args)
    form.validate()
    today = periods.school_today(school)
    period = None
    if form.period.data == "dates" and not (form.start.errors or form.end.errors):
        try:
            period = periods.dates_period(form.start.data, form.end.data)
        except PeriodError as error:
            show_refusal(form, error)
    elif form.period.data == "last":
        period = periods.last_days(today)
    if period is None:
        period = periods.term_period(periods.terms(school.id), today)
    quiet = form.quiet.data if form.quiet.data and not form.quiet.errors else \
        periods.QUIET_DAYS
    return period, today, quiet, form


def _school_dashboard():
    school = current_school()
    period, today, quiet, form = _period(school)
    found = figures.dashboard(school, current_user.id, period, today, quiet)
    return found, form


@bp.route("/")
@access.school_view
def school():
    """The school at a glance for a period, beside the previous one."""
    found, form = _school_dashboard()
    sort = request.args.get("sort", "name")
    found.rows = figures.sorted_rows(found.rows, sort)
    isolated = {t.id for t in found.isolated}
    teachers = [row.teacher for row in found.rows]
    params = form.parameters()
    words = _words_for_pages(found.quiet_days)
    # One url_for for the 120 teachers' links: the id goes where the 0 is.
    path, _, query = url_for("dashboard.teacher", user_id=0, **params).partition("?")
    return render_template(
        "dashboard/school.html", d=found, form=form, params=params,
        teacher_link=(path[:-1], "?" + query if query else ""),
        network=charts.network(teachers, found.edges, isolated),
        charts={kind: charts.bars(series) for kind, series in found.trend.items()},
        pairs=figures.pair_rows(found.edges, figures.PAIR_LABELS), sort=sort,
        observation_lines=_observation_lines(found, words["day"]), **words)


@bp.route("/print")
@access.school_view
def print_view():
    """The same figures laid out for a report to the district."""
    found, form = _school_dashboard()
    return render_template("dashboard/print.html", d=found, form=form,
                           pairs=figures.pair_rows(found.edges, figures.PAIR_LABELS),
                           **_words_for_pages(found.quiet_days))


def _csv(text: str, name: str) -> Response:
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/teachers.csv")
@access.school_view
def teachers_csv():
    found, _form = _school_dashboard()
    return _csv(exports.teachers_csv(found), "teachers.csv")


@bp.route("/weekly.csv")
@access.school_view
def weekly_csv():
    found, _form = _school_dashboard()
    return _csv(exports.weekly_csv(found), "weekly.csv")


def _teacher_page(user_id: int, own: bool):
    school = current_school()
    period, today, quiet, form = _period(school)
    found = figures.teacher_view(school, user_id, period, today, quiet)
    if found is None:
        return None
    return render_template(
        "dashboard/teacher.html", v=found, form=form, own=own,
        chart={kind: charts.bars(series) for kind, series in found.trend.items()},
        pairs=figures.pair_rows(found.edges, figures.PAIR_LABELS, of=user_id),
        **_words_for_pages(found.quiet_days))


@bp.route("/me")
@access.own_view
def me():
    """Exactly what the principal sees about me."""
    page = _teacher_page(current_user.id, own=True)
    if page is None:  # a principal has no row of their own
        return redirect(url_for("dashboard.school"))
    return page


@bp.route("/teachers/<int:user_id>")
def teacher(user_id):
    """The principal's page of one teacher: the same as that teacher's /dashboard/me."""
    found = access.teacher_for_principal(user_id)
    page = _teacher_page(found.id, own=False)
    if page is None:  # a principal, not a teacher
        return redirect(url_for("dashboard.school"))
    return page
