"""Flask commands: create-school, seed-demo, import-timetable, send-reminders, send-mail,
backup, dashboard-recount."""

import functools
import os
import re
from pathlib import Path

import click
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from collab.assessments import service as assessments
from collab.core import backup as backup_service
from collab.core import mail
from collab.core.csv_files import ImportFileError, decode_csv_bytes
from collab.core.database import immediate_transactions
from collab.dashboard import service_rollup as rollup
from collab.demo import seed as demo
from collab.extensions import db
from collab.mentoring import service_life as mentoring_life
from collab.observations import service_reminders as observation_reminders
from collab.people import service_passwords as passwords
from collab.people.models import School
from collab.people.service import SchoolError, StaffDetails, create_school, valid_timezone
from collab.timetables import service_import as timetable_import


@click.command("create-school")
@click.option("--name", prompt="School name")
@click.option("--timezone", default="Asia/Jakarta", show_default=True)
@click.option("--principal-name", prompt="Principal's name")
@click.option("--principal-email", prompt="Principal's e-mail")
@click.password_option("--password", prompt="Principal's password")
def create_school_command(name, timezone, principal_name, principal_email, password):
    """Create a school and its principal's account."""
    if not valid_timezone(timezone):
        raise click.BadParameter(f"unknown time zone {timezone!r}", param_hint="--timezone")
    with force_locale(_shell_language()):
        refusal = passwords.refusal(password, principal_email, [principal_name, name])
        if refusal is not None:
            raise click.BadParameter(str(refusal), param_hint="--password")
    try:
        school, _ = create_school(
            name, timezone, StaffDetails(name=principal_name, email=principal_email), password
        )
    except SchoolError as exc:
        raise click.ClickException(f"cannot create the school: {exc.code}") from exc
    db.session.commit()
    # The same words whatever the address: the command never tells whether it has an account.
    click.echo(f"Created school {school.id}: {school.name}")
    click.echo("The principal signs in with this address and password. If the address already "
               "had an account, it keeps its own password and its owner gets an e-mail "
               "saying what happened.")


def _shell_language() -> str:
    """The shell user's language for messages from the app's catalogue: Indonesian when the
    locale says so, else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "id" if value.lower().startswith("id") else "en"
    return "en"


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no school.")
def seed_demo_command(if_empty):
    """Load the demo schools, teachers and teams (idempotent)."""
    if if_empty and demo.has_any_school():
        click.echo("Database already has data; demo not seeded.")
    else:
        demo.seed()
        db.session.commit()
        click.echo("Demo data ready.")
    click.echo(demo.LOGINS_TEXT)


def _find_school(key: str) -> School | None:
    """A school by id, by name (any case) or by its name as a slug ("smp-negeri-1-contoh")."""
    if key.isdecimal():
        return db.session.get(School, int(key))
    for school in db.session.scalars(select(School)):
        slug = re.sub(r"[^a-z0-9]+", "-", school.name.lower()).strip("-")
        if key.strip().lower() in (school.name.lower(), slug):
            return school
    return None


@click.command("import-timetable")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "school_key", required=True, help="The school's id, name or slug.")
@click.option("--yes", is_flag=True, help="Import the valid rows without asking.")
def import_timetable_command(file, school_key, yes):
    """Check a timetable CSV row by row and, once confirmed, replace the listed teachers'
    timetables with its valid rows."""
    school = _find_school(school_key)
    if school is None:
        raise click.BadParameter(f"no school {school_key!r}", param_hint="--school")
    text = decode_csv_bytes(file.read_bytes())
    if text is None:
        raise click.ClickException("the file is not UTF-8 text")
    try:
        rows = timetable_import.parse_timetable_csv(school, text)
    except ImportFileError as exc:
        raise click.ClickException(f"the file cannot be read: {exc.code}") from exc
    valid = [row for row in rows if row.valid]
    for row in rows:
        result = "ok" if row.valid else ", ".join(row.errors)
        click.echo(f"row {row.line}: {row.email or '-'}: {result}")
    click.echo(f"{len(valid)} valid row(s), {len(rows) - len(valid)} with a problem")
    if not valid or not (yes or click.confirm("Import the valid rows?")):
        click.echo("Nothing imported.")
        return
    imported = timetable_import.apply_import(rows)
    db.session.commit()
    click.echo(f"Timetables replaced for {len(imported)} teacher(s).")


@click.command("send-reminders")
def send_reminders_command():
    """Remind observers and observed teachers of tomorrow's observations, assessors of
    feedback due tomorrow, and mentoring pairs without a check-in for 14 days; end the pairs
    past their end date (run daily; running it twice sends nothing twice)."""
    sent = observation_reminders.send_reminders()
    sent += assessments.send_reminders()
    sent += mentoring_life.daily()
    db.session.commit()
    click.echo(f"{sent} reminder(s) sent.")


@click.command("send-mail")
def send_mail_command():
    """Send the mails that are due in the outbox (the server's sender does it too; run this
    from cron where the server runs without it)."""
    total = mail.Delivery()
    while True:
        report = mail.deliver_due()
        total.sent, total.failed = total.sent + report.sent, total.failed + report.failed
        total.dropped += report.dropped
        if report.sent + report.failed + report.dropped < 50:
            break
    click.echo(f"{total.sent} sent, {total.failed} failed (tried again later), "
               f"{total.dropped} not needed.")


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False), help="File to write.")
def backup_command(output):
    """Write a consistent online backup of the database (SQLite API or pg_dump)."""
    path = backup_service.backup(output)
    click.echo(f"Backup written to {path}")


@click.command("dashboard-recount")
@click.option("--school", "school_key", help="School id or name (default: every school).")
def dashboard_recount_command(school_key):
    """Rebuild the dashboard's rollup from the whole activity log (after the upgrade that
    adds it, or after a school changes its time zone)."""
    if school_key:
        school = _find_school(school_key)
        if school is None:
            raise click.BadParameter(f"no school {school_key!r}", param_hint="--school")
        ids = [school.id]
    else:
        ids = list(db.session.scalars(select(School.id).order_by(School.id)))
    for school_id in ids:
        rollup.recount(school_id)
        db.session.commit()
    click.echo(f"Rollup rebuilt for {len(ids)} school(s).")


def _with_write_lock(command: click.Command) -> click.Command:
    # CLI commands may run beside a live server: their SQLite transactions take the write
    # lock up front (see collab/core/database.py).
    callback = command.callback

    @functools.wraps(callback)
    def wrapped(*args, **kwargs):
        with immediate_transactions():
            return callback(*args, **kwargs)

    command.callback = wrapped
    return command


# send-mail holds no write lock while a mail server answers: its transactions are short.
COMMANDS = (*(
    _with_write_lock(command)
    for command in (create_school_command, seed_demo_command, import_timetable_command,
                    send_reminders_command, backup_command, dashboard_recount_command)),
    send_mail_command
)


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
