"""Flask commands: create-school, seed-demo, backup."""

import functools

import click
from flask import Flask

from collab.database import immediate_transactions
from collab.extensions import db
from collab.services import backup as backup_service
from collab.services import demo
from collab.services.schools import SchoolError, StaffDetails, create_school, valid_timezone


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
    if len(password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="--password")
    try:
        school, _ = create_school(
            name, timezone, StaffDetails(name=principal_name, email=principal_email), password
        )
    except SchoolError as exc:
        raise click.ClickException(f"cannot create the school: {exc.code}") from exc
    db.session.commit()
    click.echo(f"Created school {school.id}: {school.name}")


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


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False), help="File to write.")
def backup_command(output):
    """Write a consistent online backup of the database (SQLite API or pg_dump)."""
    path = backup_service.backup(output)
    click.echo(f"Backup written to {path}")


def _with_write_lock(command: click.Command) -> click.Command:
    # CLI commands may run beside a live server: their SQLite transactions take the write
    # lock up front (see collab/database.py).
    callback = command.callback

    @functools.wraps(callback)
    def wrapped(*args, **kwargs):
        with immediate_transactions():
            return callback(*args, **kwargs)

    command.callback = wrapped
    return command


COMMANDS = tuple(
    _with_write_lock(command)
    for command in (create_school_command, seed_demo_command, backup_command)
)


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
