"""Entry point: `app = create_app()`; `python app.py` serves the app with Socket.IO.

`python app.py` serves with gevent's WSGI server: one thread, a greenlet per connection, so
an open browser tab costs about 85 KB instead of four threads (docs/deploy.md, "the async
mode"). ASYNC_MODE=threading serves with Werkzeug's threaded server instead. gevent must
patch the standard library before anything else imports it.

Responses leave without Nagle's delay: gevent's server writes the headers and the body in
two small writes, and on a kept-alive connection the second waited for the client's delayed
ACK, about 40 ms on every request (issue 16). It gets a handler that sets TCP_NODELAY on each
accepted socket (collab/core/serving.py). (`gunicorn -k gevent` sets TCP_NODELAY on its
listening socket, and Linux hands it on to every accepted one: tests/integration/
test_serving.py checks both.)
"""

import gc
import os

if __name__ == "__main__" and os.environ.get("ASYNC_MODE", "gevent") == "gevent":
    from gevent import monkey

    monkey.patch_all()

from collab import create_app  # after gevent's patching, on purpose
from collab.core import mail
from collab.core.serving import compile_templates, no_delay_handler, watch_the_loop
from collab.extensions import socketio

app = create_app()
# Under gevent (here or `gunicorn -k gevent`): a warning names any request that holds the
# loop for LOOP_WATCH_MS or more (issue 16, item 4; 0 turns the watch off).
watch_the_loop(app, float(os.environ.get("LOOP_WATCH_MS", "50")))
compile_templates(app)  # not on the loop at a page's first view
# What start-up made (the app, its routes, templates, translations) lives as long as the
# process: out of the collector's sight, full collections stop walking it on every request
# that happens to trigger one (the dashboard's slow tail was those pauses; bench/README.md).
gc.freeze()


if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Rembuk is running on http://{host}:{port}/ ({socketio.async_mode})")
    mail.start_sender(app)  # the outbox's sender, in this process (collab/core/mail.py)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True,
                 **no_delay_handler(socketio.async_mode))
