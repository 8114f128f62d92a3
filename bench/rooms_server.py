"""`python -m bench.rooms_server`: app.py in another Socket.IO async mode, for comparing modes
in bench/rooms_load.py only (the app itself runs in threading mode, collab/__init__.py).

REMBUK_BENCH_ASYNC_MODE=gevent monkey-patches the standard library first (gevent's advice for
any app that uses threads, sockets or database drivers), then serves with gevent's WSGI server
and simple-websocket, as Flask-SocketIO's `run()` does when gevent is installed.
"""

import os
import runpy
from pathlib import Path

MODE = os.environ.get("REMBUK_BENCH_ASYNC_MODE", "threading")

if MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import flask_socketio  # noqa: E402 (after gevent's monkey-patching, on purpose)

_init_app = flask_socketio.SocketIO.init_app


def _init_app_in_mode(self, app, **kwargs):
    kwargs["async_mode"] = MODE
    return _init_app(self, app, **kwargs)


flask_socketio.SocketIO.init_app = _init_app_in_mode

if __name__ == "__main__":
    runpy.run_path(str(Path(__file__).resolve().parent.parent / "app.py"), run_name="__main__")
