"""My weekly timetable; for principals, the school's calendar (periods per weekday, terms,
holidays) and the timetable import from a CSV file."""

from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from collab.core.forms import EmptyForm, ImportForm, show_refusal
from collab.core.numbers import whole_number
from collab.extensions import db
from collab.people.access import (
    current_school,
    holiday_of_my_school,
    principal_required,
    school_member_required,
    term_of_my_school,
)
from collab.timetables import bp
from collab.timetables import service as timetables
from collab.timetables import service_import as timetable_import
from collab.timetables.forms import (
    WEEKDAY_NAMES,
    ClassesForm,
    CopyPeriodsForm,
    HolidayForm,
    PeriodsForm,
    TermForm,
    cell_name,
    timetable_form,
    with_id_prefix,
)
from collab.timetables.models import WEEKDAYS

SCHEDULE = "timetables.schedule"


# ---------------------------------------------------------------- the school's calendar


def _periods_form(periods, weekday: int) -> PeriodsForm:
    day = periods.get(weekday, [])
    rows = [{"starts_at": p.starts_at, "ends_at": p.ends_at} for p in day]
    blanks = max(3, 4 - len(rows)) if len(rows) < timetables.MAX_PERIODS else 0
    return PeriodsForm(formdata=None, data={"rows": rows + [{}] * blanks})


def _schedule_page(status: int = 200, **bound):
    """The calendar page; `bound` holds the forms of a refused POST (day_N, copy, term,
    holiday), shown with what was typed and the errors. The other forms are made with
    formdata=None: they must not pick up the fields of that POST."""
    school = current_school()
    periods = timetables.periods_by_weekday(school.id)
    day_forms = {wd: with_id_prefix(bound.get(f"day_{wd}") or _periods_form(periods, wd),
                                    f"day{wd}") for wd in WEEKDAYS}
    copy_form = bound.get("copy") or CopyPeriodsForm(formdata=None, source=0,
                                                     targets=[1, 2, 3])
    return render_template(
        "timetables/schedule.html",
        school=school,
        periods=periods,
        weekday_names=WEEKDAY_NAMES,
        day_forms=day_forms,
        copy_form=with_id_prefix(copy_form, "copy"),
        term_form=with_id_prefix(bound.get("term") or TermForm(formdata=None), "term"),
        holiday_form=with_id_prefix(bound.get("holiday") or HolidayForm(formdata=None),
                                    "holiday"),
        terms=timetables.terms(school.id),
        holidays=timetables.holidays(school.id),
        action_form=EmptyForm(),
    ), status


@bp.route("/school/schedule")
@principal_required
def schedule():
    return _schedule_page()


@bp.route("/school/schedule/days/<int:weekday>", methods=["POST"])
@principal_required
def schedule_day(weekday):
    if weekday not in WEEKDAYS:
        abort(404)
    form = PeriodsForm()
    if not form.validate_on_submit():
        return _schedule_page(400, **{f"day_{weekday}": form})
    timetables.set_periods(current_school(), weekday, form.times())
    db.session.commit()
    flash(_("The periods of %(day)s are saved.", day=WEEKDAY_NAMES[weekday]), "success")
    return redirect(url_for(SCHEDULE, _anchor=f"day-{weekday}"))


@bp.route("/school/schedule/copy", methods=["POST"])
@principal_required
def copy_periods():
    form = CopyPeriodsForm()
    if not form.validate_on_submit():
        return _schedule_page(400, copy=form)
    timetables.copy_periods(current_school(), form.source.data, form.targets.data)
    db.session.commit()
    days = ", ".join(str(WEEKDAY_NAMES[d]) for d in form.targets.data if d != form.source.data)
    flash(_("The periods of %(day)s are copied to: %(days)s.",
            day=WEEKDAY_NAMES[form.source.data], days=days), "success")
    return redirect(url_for(SCHEDULE))


def _add_range(form, add, key: str):
    """Add a term or a holiday from its form; the page again with errors if refused."""
    if form.validate_on_submit():
        try:
            add(current_school(), form.name.data, form.starts_on.value, form.ends_on.value)
        except timetables.TimetableError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(_("Saved: %(name)s.", name=form.name.data.strip()), "success")
            return redirect(url_for(SCHEDULE, _anchor=key))
    return _schedule_page(400, **{key: form})


@bp.route("/school/schedule/terms", methods=["POST"])
@principal_required
def add_term():
    return _add_range(TermForm(), timetables.add_term, "term")


@bp.route("/school/schedule/holidays", methods=["POST"])
@principal_required
def add_holiday():
    return _add_range(HolidayForm(), timetables.add_holiday, "holiday")


def _remove(item, delete, anchor: str):
    if EmptyForm().validate_on_submit():
        delete(item)
        db.session.commit()
        flash(_("Removed: %(name)s.", name=item.name), "info")
    return redirect(url_for(SCHEDULE, _anchor=anchor))


@bp.route("/school/schedule/terms/<int:term_id>/delete", methods=["POST"])
@principal_required
def delete_term(term_id):
    return _remove(term_of_my_school(term_id), timetables.delete_term, "term")


@bp.route("/school/schedule/holidays/<int:holiday_id>/delete", methods=["POST"])
@principal_required
def delete_holiday(holiday_id):
    return _remove(holiday_of_my_school(holiday_id), timetables.delete_holiday, "holiday")


# ---------------------------------------------------------------- classes and seating


@bp.route("/school/classes", methods=["GET", "POST"])
@principal_required
def classes():
    """Each class's grade and seating grid: the observers' notes page shows the grid."""
    school = current_school()
    known = timetables.classes(school.id)
    if request.method == "POST":
        form = ClassesForm()
    else:
        form = ClassesForm(data={"classes": [
            {"class_id": c.id, "grade": c.grade, "seat_rows": c.seat_rows,
             "seat_cols": c.seat_cols} for c in known]})
    names = {c.id: c.name for c in known}
    if form.validate_on_submit():
        changes = {}
        for entry in form.classes:
            class_id = _class_id(entry)
            if class_id in names:
                changes[class_id] = (entry.form.grade.data, entry.form.seat_rows.data,
                                     entry.form.seat_cols.data)
        timetables.set_classes(school.id, changes)
        db.session.commit()
        flash(_("The classes are saved."), "success")
        return redirect(url_for("timetables.classes"))
    rows = [(entry, names[_class_id(entry)]) for entry in form.classes
            if _class_id(entry) in names]
    return render_template("timetables/classes.html", form=form, rows=rows), (
        400 if form.errors else 200)


def _class_id(entry) -> int | None:
    return whole_number(str(entry.form.class_id.data or ""))


# ---------------------------------------------------------------- my timetable


@bp.route("/timetable", methods=["GET", "POST"])
@school_member_required
def timetable():
    periods = timetables.periods_by_weekday(current_school().id)
    form = timetable_form(periods, timetables.timetable(current_user))
    status = 200
    if form.validate_on_submit():
        try:
            timetables.save_timetable(current_user, form.slots())
        except timetables.TimetableError as exc:
            # Only when the school's periods changed while the page was open.
            db.session.rollback()
            flash(str(exc.message), "warning")
            status = 409
        else:
            db.session.commit()
            flash(_("Your timetable is saved."), "success")
            return redirect(url_for("timetables.timetable"))
    elif form.errors:
        status = 400
    today = datetime.now(ZoneInfo(current_school().timezone)).weekday()
    return render_template("timetables/timetable.html", form=form, periods=periods,
                           weekday_names=WEEKDAY_NAMES, cell_name=cell_name,
                           today_weekday=today), status


# ---------------------------------------------------------------- the CSV import


@bp.route("/school/timetables/import", methods=["GET", "POST"])
@principal_required
def import_timetables():
    form = ImportForm()
    upload = form.read_rows(partial(timetable_import.parse_timetable_csv, current_school()))
    if upload.confirmed:
        imported = timetable_import.apply_import(upload.rows)
        db.session.commit()
        flash(ngettext("The timetable of %(num)d teacher is replaced.",
                       "The timetables of %(num)d teachers are replaced.",
                       len(imported)), "success")
        return redirect(url_for(SCHEDULE))
    status = 400 if upload.file_error or form.errors else 200
    return render_template("timetables/timetable_import.html", form=form, upload=upload,
                           weekday_names=WEEKDAY_NAMES), status
