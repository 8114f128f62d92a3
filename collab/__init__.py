"""Rembuk: lesson study for teacher teams. `create_app` builds the Flask application."""

from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from collab import cli, realtime
from collab.config import load_config, trusted_hosts_for
from collab.core import errors, i18n, page_cache, page_hits, web
from collab.core.static_files import RembukFlask, StaticCache, cache_key
from collab.extensions import babel, compress, csrf, db, limiter, login_manager, migrate, socketio
from collab.realtime import packets

ROOT = Path(__file__).resolve().parent.parent


class BoundedInt(IntegerConverter):
    """The `int` URL converter, limited to the range of a 32-bit database integer."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides settings (tests pass a temporary database)."""
    app = RembukFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(load_config(Path(app.instance_path),
                                  (config or {}).get("SECRET_KEY")))
    app.config.update(config or {})
    if "BASE_URL" in (config or {}) and "TRUSTED_HOSTS" not in config:
        app.config["TRUSTED_HOSTS"] = trusted_hosts_for(app.config["BASE_URL"])
    # Ids in URLs fit the database's integer: a 30-digit id is a 404, not a database error.
    app.url_map.converters["int"] = BoundedInt
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # Innermost, so that the proxy's forwarded host is the one checked.
    app.wsgi_app = web.HealthCheck(page_hits.CachedPages(app.wsgi_app, app), app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    register_extensions(app)
    register_blueprints(app)
    web.register(app)
    errors.register(app)
    cli.register(app)
    return app


def async_mode() -> str:
    """Socket.IO's async mode: gevent in a process that gevent has patched (`python app.py`,
    `gunicorn -k gevent`), else threading (tests, the flask CLI, ASYNC_MODE=threading)."""
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def register_extensions(app: Flask) -> None:
    from collab.core import database, listeners

    listeners.register()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(app.config)
    db.init_app(app)
    page_cache.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    # Every limit is a decorator on its route (sign-in, reset, calendar feed), which checks
    # it; none applies to all requests, so the check Flask-Limiter runs before each request
    # only costs time (about 0.15 ms, issue 16; tests/integration/
    # test_rate_limits_only_where_set.py).
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", StaticCache)
    app.config.setdefault("COMPRESS_CACHE_KEY", cache_key)
    compress.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app, babel)
    socketio.init_app(
        app,
        async_mode=async_mode(),
        client_manager=realtime.client_manager(app, app.config.get("SOCKETIO_MESSAGE_QUEUE")),
        max_http_buffer_size=realtime.MAX_PACKET_BYTES,
        manage_session=True,
        **packets.server_options(),
    )
    realtime.register(socketio, app)
    register_people_and_rooms()
    register_rollup()


def register_people_and_rooms() -> None:
    """Who a session's user is (people), and what the Socket.IO server asks the features:
    ended sessions, rooms taken away, the rooms' own events."""
    from collab.people import service_accounts, service_mail
    from collab.rooms import access as room_access
    from collab.rooms import events as room_events

    login_manager.user_loader(service_accounts.load_user)
    service_mail.register()
    realtime.use(
        load_user=service_accounts.load_user,
        user_by_id=service_accounts.user_by_id,
        ended_sessions=service_accounts.sessions_ended_in,
        narrowed_access=room_access.narrowed_by,
        review=room_events.review,
        left_rooms=room_events.left_rooms,
    )
    room_events.register(socketio)


def register_rollup() -> None:
    """The dashboard counts every activity event as it is written (core imports no
    feature, so the feature subscribes here)."""
    from collab.core import activity
    from collab.dashboard import service_rollup

    activity.subscribe(service_rollup.on_event)


def register_blueprints(app: Flask) -> None:
    """Every feature's pages: importing a feature's routes attaches its views to its blueprint."""
    from collab.core.numbers import IdConverter

    # Before any rule is added: `<int:…>` ids beyond the database's range match no route.
    app.url_map.converters["int"] = IdConverter
    from collab import (
        assessments,
        dashboard,
        home,
        mentoring,
        observations,
        people,
        plans,
        rooms,
        timetables,
    )
    from collab.assessments import routes as _assessment_routes  # noqa: F401
    from collab.dashboard import routes as _dashboard_routes  # noqa: F401
    from collab.home import routes as _home_routes  # noqa: F401
    from collab.mentoring import routes as _mentoring_routes  # noqa: F401
    from collab.observations import routes as _observation_routes  # noqa: F401
    from collab.people import routes as _people_routes  # noqa: F401
    from collab.plans import routes as _plan_routes  # noqa: F401
    from collab.rooms import routes as _room_routes  # noqa: F401
    from collab.timetables import routes as _timetable_routes  # noqa: F401

    app.register_blueprint(home.bp)
    app.register_blueprint(people.auth_bp, url_prefix="/auth")
    app.register_blueprint(people.settings_bp, url_prefix="/settings")
    app.register_blueprint(timetables.bp, url_prefix="/settings")
    app.register_blueprint(plans.bp, url_prefix="/plans")
    app.register_blueprint(observations.bp, url_prefix="/observations")
    app.register_blueprint(rooms.bp, url_prefix="/rooms")
    app.register_blueprint(assessments.bp, url_prefix="/assessments")
    app.register_blueprint(assessments.rubrics_bp, url_prefix="/rubrics")
    app.register_blueprint(mentoring.bp, url_prefix="/mentoring")
    app.register_blueprint(dashboard.bp, url_prefix="/dashboard")
