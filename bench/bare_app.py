"""The yardstick of the serving benchmarks (issue 16): a bare Flask + Flask-SocketIO app
answering "hello", served exactly as `python app.py` serves Rembuk (gevent's WSGI server, the
same TCP_NODELAY handler). Ratios of Rembuk's pages to it, measured in the same run, say
what the app costs above the serving stack on whatever machine runs the bench.

`python -m bench.bare_app` serves it on $HOST:$PORT."""

import os

from gevent import monkey

monkey.patch_all()

from flask import Flask  # noqa: E402 (after gevent's patching, on purpose)
from flask_socketio import SocketIO  # noqa: E402

from collab.core.serving import no_delay_handler  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")


@app.route("/")
def hello():
    return "hello"


@app.route("/healthz")
def healthz():
    return "ok"


if __name__ == "__main__":
    socketio.run(app, host=os.environ.get("HOST", "127.0.0.1"),
                 port=int(os.environ.get("PORT", "5000")),
                 **no_delay_handler(socketio.async_mode))
