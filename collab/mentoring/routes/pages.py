"""Mentoring pages: /mentoring/ (my mentor or mentees, my offer or wishes, suggestions; the
principal's overview), one novice's suggestions, "Propose pairs", and the pair's space."""

from datetime import date
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from collab.core.forms import EmptyForm, show_refusal
from collab.core.models import utcnow
from collab.core.numbers import whole_number
from collab.extensions import db
from collab.mentoring import access, bp
from collab.mentoring import service as mentoring
from collab.mentoring import service_pairing as pairing
from collab.mentoring import service_space as space
from collab.mentoring.forms import (
    AnswerForm,
    AskForm,
    OfferForm,
    PrincipalOfferForm,
    ProposeForm,
    SendForm,
    WishesForm,
)
from collab.mentoring.service import FOCUS_AREAS, MentoringError
from collab.mentoring.service_suggestions import load_pool, suggest
from collab.people.access import current_school, principal_required, school_member_required


def _today() -> date:
    return utcnow().astimezone(ZoneInfo(current_school().timezone)).date()


def _offer_form(formdata=None) -> OfferForm:
    row = mentoring.profile_of(current_user)
    profile = current_user.profile
    if row is not None and row.willing:
        data = {"capacity": row.capacity, "subjects": row.subjects, "grades": row.grades,
                "focus": row.focus, "note": row.note}
    else:
        data = {"capacity": 1, "subjects": list(getattr(profile, "subjects", None) or []),
                "grades": [str(g) for g in getattr(profile, "grades", None) or []],
                "focus": row.focus if row else [], "note": row.note if row else ""}
    return OfferForm(formdata=formdata, data=data)


def _wishes_form(formdata=None) -> WishesForm:
    row = mentoring.profile_of(current_user)
    return WishesForm(formdata=formdata, data={"focus": row.focus if row else []})


def _index(status: int = 200, **forms):
    """The /mentoring/ page, with any forms a failed POST hands back."""
    school = current_school()
    context = {"focus_areas": FOCUS_AREAS, "answer_form": AnswerForm(formdata=None)}
    if current_user.is_principal:
        pairs = mentoring.school_pairs(school.id)
        solution = pairing.solve(school.id)
        context.update(
            pairs=pairs, dates=space.checkin_dates([p.id for p in pairs]),
            unpaired=[left.novice for left in solution.unpaired]
            + [p.novice for p in solution.proposals],
            pool=load_pool(school.id), experienced=mentoring.experienced(school.id),
            offer_form=forms.get("offer_form") or PrincipalOfferForm(formdata=None),
            offer_for=forms.get("offer_for"), empty=EmptyForm())
        return render_template("mentoring/principal.html", **context), status
    user = current_user
    mine = mentoring.pairs_of(user)
    context.update(pairs=mine, can_mentor=mentoring.can_mentor(user),
                   is_novice=mentoring.is_novice(user), offer=mentoring.profile_of(user),
                   empty=EmptyForm(), ask_form=forms.get("ask_form") or AskForm(formdata=None),
                   ask_for=forms.get("ask_for"), answer_for=forms.get("answer_for"))
    if forms.get("answer_form") is not None:
        context["answer_form"] = forms["answer_form"]
    if context["can_mentor"]:
        context["offer_form"] = forms.get("offer_form") or _offer_form()
    if context["is_novice"]:
        context["wishes_form"] = forms.get("wishes_form") or _wishes_form()
        if not any(p.is_open and p.novice_id == user.id for p in mine):
            context["suggestions"] = suggest(load_pool(school.id), user.id)
    return render_template("mentoring/index.html", **context), status


@bp.route("/")
@school_member_required
def index():
    """A teacher: my pairs, my offer or wishes, suggestions; the principal: the overview."""
    return _index()


@bp.route("/offer", methods=["POST"])
@school_member_required
def offer():
    """I can mentor: capacity, subjects, grades, strengths, a note."""
    if not mentoring.can_mentor(current_user):
        return redirect(url_for("mentoring.index"))
    form = _offer_form(request.form)
    if form.validate_on_submit():
        try:
            mentoring.set_offer(current_user, form.capacity.data, form.subjects.items,
                                form.grades.items, form.focus.data, form.note.data)
            db.session.commit()
            flash(_("Your offer to mentor is saved."), "success")
            return redirect(url_for("mentoring.index"))
        except MentoringError as error:
            db.session.rollback()
            show_refusal(form, error)
    return _index(400, offer_form=form)


@bp.route("/offer/stop", methods=["POST"])
@school_member_required
def stop_offer():
    """I take no new novices (my pairs go on)."""
    form = EmptyForm()
    if form.validate_on_submit():
        mentoring.stop_offer(current_user)
        db.session.commit()
        flash(_("You no longer offer to mentor."), "success")
    return redirect(url_for("mentoring.index"))


@bp.route("/wishes", methods=["POST"])
@school_member_required
def wishes():
    """A novice: what I want help with (up to three focus areas)."""
    if not mentoring.is_novice(current_user):
        return redirect(url_for("mentoring.index"))
    form = _wishes_form(request.form)
    if form.validate_on_submit():
        try:
            mentoring.set_wishes(current_user, form.focus.data)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("mentoring.index"))
        except MentoringError as error:
            db.session.rollback()
            show_refusal(form, error)
    return _index(400, wishes_form=form)


def _int(value) -> int | None:
    return whole_number(value)


@bp.route("/ask", methods=["POST"])
@school_member_required
def ask():
    """A novice asks a suggested mentor."""
    form = AskForm()
    mentor_id = _int(form.mentor_id.data)
    if form.validate_on_submit():
        try:
            mentor = mentoring.school_teacher(current_school().id, mentor_id)
            mentoring.request_mentor(current_user, mentor, form.message.data)
            db.session.commit()
            flash(_("Your request is sent. You will hear when %(name)s answers.",
                    name=mentor.name), "success")
            return redirect(url_for("mentoring.index"))
        except MentoringError as error:
            db.session.rollback()
            error.field = "message"
            show_refusal(form, error)
    return _index(400, ask_form=form, ask_for=mentor_id)


@bp.route("/teachers/<int:user_id>/offer", methods=["POST"])
@principal_required
def set_teacher_offer(user_id):
    """The principal sets a teacher's offer (a capacity) or stops it (no capacity)."""
    teacher = access.colleague(user_id)
    form = PrincipalOfferForm()
    if form.validate_on_submit():
        try:
            if form.capacity.data is None:
                mentoring.stop_offer(teacher)
            else:
                row = mentoring.profile_of(teacher)
                profile = teacher.profile
                mentoring.set_offer(teacher, form.capacity.data,
                                    row.subjects if row else getattr(profile, "subjects", []),
                                    row.grades if row else getattr(profile, "grades", []),
                                    row.focus if row else [], row.note if row else "",
                                    by=current_user)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("mentoring.index", _anchor="mentors"))
        except MentoringError as error:
            db.session.rollback()
            show_refusal(form, error)
    # The error next to this teacher's number, with what was typed.
    return _index(400, offer_form=form, offer_for=teacher.id)


@bp.route("/novices/<int:user_id>", methods=["GET", "POST"])
@principal_required
def novice(user_id):
    """The principal: the explained suggestions for one novice, and proposing one."""
    person = access.colleague(user_id)
    form = ProposeForm()
    status = 200
    if form.validate_on_submit():
        try:
            mentor = mentoring.school_teacher(current_school().id, _int(form.mentor_id.data))
            mentoring.propose(current_user, person, mentor)
            db.session.commit()
            flash(_("The proposal is sent; both are asked to accept."), "success")
            return redirect(url_for("mentoring.index"))
        except MentoringError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            status = 400
    elif request.method == "POST":
        status = 400
    return render_template(
        "mentoring/novice.html", person=person, form=form, focus_areas=FOCUS_AREAS,
        open_pair=mentoring.open_pair_of_novice(person.id),
        suggestions=suggest(load_pool(current_school().id), person.id)), status


@bp.route("/propose", methods=["GET", "POST"])
@principal_required
def propose():
    """Propose pairs: the optimal pairing of every unpaired novice, sent as proposals."""
    form = SendForm()
    if form.validate_on_submit():
        chosen = []
        for value in form.pairs.data or []:
            novice_id, _sep, mentor_id = value.partition(":")
            if _int(novice_id) is not None and _int(mentor_id) is not None:
                chosen.append((_int(novice_id), _int(mentor_id)))
        made, refused = pairing.send(current_user, chosen[:500])
        db.session.commit()
        if made:
            flash(_("%(num)d proposals sent; each pair is asked to accept.", num=len(made)),
                  "success")
        for _novice, _mentor, error in refused:
            flash(str(error.message), "error")
        return redirect(url_for("mentoring.index"))
    solution = pairing.solve(current_school().id, _pairs_arg("lock"), _pairs_arg("forbid"))
    if solution.dropped_locks:
        flash(_("Some locked pairs are not possible (no common free period, no place left, "
                "or the novice is locked twice) and were left out."), "error")
    names = {p.user.id: p.user.name for p in solution.mentors}
    names.update({p.novice.user.id: p.novice.user.name for p in solution.proposals})
    names.update({left.novice.user.id: left.novice.user.name for left in solution.unpaired})
    return render_template("mentoring/propose.html", form=form, focus_areas=FOCUS_AREAS,
                           solution=solution, names=names
                           ), 400 if request.method == "POST" else 200


def _pairs_arg(name: str) -> list[tuple[int, int]]:
    """The "novice id:mentor id" values of a query argument (at most 200)."""
    found = []
    for value in request.args.getlist(name)[:200]:
        novice_id, _sep, mentor_id = value.partition(":")
        if _int(novice_id) is not None and _int(mentor_id) is not None:
            found.append((_int(novice_id), _int(mentor_id)))
    return found


@bp.route("/pairs.csv")
@principal_required
def pairs_csv():
    """The principal's export: the active pairs, their start and check-in count and date."""
    return Response(pairing.pairs_csv(current_school().id),
                    mimetype="text/csv", headers={
                        "Content-Disposition": 'attachment; filename="mentoring-pairs.csv"'})


@bp.route("/pairs/<int:pair_id>/answer", methods=["POST"])
@school_member_required
def answer(pair_id):
    """Accept or decline a request or a proposal, with a note."""
    found = access.pair_of_mine(pair_id)
    form = AnswerForm()
    if form.validate_on_submit():
        accept = request.form.get("decision") == "accept"
        try:
            mentoring.answer(found, current_user, accept, form.note.data)
            db.session.commit()
            flash(_("Your answer is sent."), "success")
            return redirect(url_for("mentoring.pair", pair_id=found.id)
                            if found.status == "active" else url_for("mentoring.index"))
        except MentoringError as error:
            db.session.rollback()
            if error.field != "note":  # the pair moved on meanwhile: nothing to correct
                flash(str(error.message), "error")
                return redirect(url_for("mentoring.index"))
            show_refusal(form, error)
    # The note too long: said next to it, what was typed kept.
    return _index(400, answer_form=form, answer_for=found.id)
