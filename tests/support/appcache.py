"""One Flask app per test worker, handed to test after test while it stays as create_app made it.

create_app costs tens of milliseconds (Werkzeug compiles every URL rule), more than most
tests. A test gets the worker's app back only if the app is, as far as the next test can
tell, the one create_app would make now:

- its configuration is set back to what create_app gave it, plus the test's own folders
  (the database is always the same file or URL of the worker, holding a fresh database);
- what requests cached in `app.extensions` since it was made is dropped;
- the extensions' module-level state (the Socket.IO server, presence, the rate limiter's
  storage) is still the one this app made: a test that built another app changes them, and
  the app is then not handed on;
- the URL map, the hooks and the error handlers are unchanged (a test that adds a route
  gets an app of its own, marker `fresh_app`); no socket is left connected and no
  Socket.IO test client has patched the server;
- the environment variables create_app read are unchanged.
Otherwise the next test gets a new app, exactly as before.
"""

import copy
import os

from collab import create_app, realtime
from collab.extensions import limiter, socketio


def _module_state() -> tuple:
    return (socketio.server, realtime._presence, limiter.storage)


def _fingerprint(app) -> tuple:
    # Flask keeps these in defaultdicts that a lookup fills with empty entries.
    def hooks(mapping):
        return {key: list(value) for key, value in mapping.items() if value}

    return (
        [(rule.rule, rule.endpoint, rule.methods) for rule in app.url_map.iter_rules()],
        dict(app.view_functions),
        hooks(app.before_request_funcs), hooks(app.after_request_funcs),
        hooks(app.teardown_request_funcs), list(app.teardown_appcontext_funcs),
        hooks(app.url_value_preprocessors), hooks(app.url_default_functions),
        hooks(app.template_context_processors),
        {(key, code): dict(handlers) for key, value in app.error_handler_spec.items()
         for code, handlers in value.items() if handlers},
        dict(app.jinja_env.globals), dict(app.jinja_env.filters),
        app.wsgi_app, app.session_interface, app.json, app.jinja_env,
        dict(app.blueprints),
    )


def _sockets_left() -> bool:
    rooms = socketio.server.manager.rooms
    return bool(realtime._presence.people) or bool(socketio.server.environ) or any(
        sids for namespace in rooms.values() for sids in namespace.values())


def _socket_server() -> tuple:
    """What Flask-SocketIO's test client changes on the server (it patches methods onto it
    and makes handlers synchronous)."""
    server = socketio.server
    return (sorted(vars(server)), server.async_handlers, server.eio.async_handlers,
            sorted(vars(server.eio)))


def _environ() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}


class AppCache:
    def __init__(self):
        self.app = None
        self.made = 0
        self.reused = 0

    def get(self, config: dict, client_class):
        """The worker's app set up for `config`, or a new one (kept for the next test)."""
        app = self.app
        if app is not None and self._still_fresh(config):
            app.config.clear()
            app.config.update(copy.deepcopy(self.config))
            app.config.update(config)
            for key in list(app.extensions):
                if key not in self.extensions:
                    del app.extensions[key]
            self.reused += 1
            return app
        self.app = None
        app = create_app(config)
        app.test_client_class = client_class
        self.made += 1
        self.app = app
        self.database = config["SQLALCHEMY_DATABASE_URI"]
        self.environ = _environ()
        self.config = copy.deepcopy(dict(app.config))
        self.extensions = dict(app.extensions)
        self.module_state = _module_state()
        self.fingerprint = _fingerprint(app)
        self.socket_server = _socket_server()
        return app

    def make(self, config: dict, client_class):
        """A new app for one test only."""
        self.app = None
        app = create_app(config)
        app.test_client_class = client_class
        self.made += 1
        return app

    def _still_fresh(self, config: dict) -> bool:
        app = self.app
        return (
            config["SQLALCHEMY_DATABASE_URI"] == self.database
            and _environ() == self.environ
            and all(a is b for a, b in zip(_module_state(), self.module_state, strict=True))
            and all(app.extensions.get(k) is v for k, v in self.extensions.items())
            and not _sockets_left()
            and _socket_server() == self.socket_server
            and _fingerprint(app) == self.fingerprint
        )

    def check(self, app) -> None:
        """After a test: keep the app for the next one only if it is still as it was made."""
        if app is self.app and not self._still_fresh({"SQLALCHEMY_DATABASE_URI":
                                                      self.database}):
            self.app = None
