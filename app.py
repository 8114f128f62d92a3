"""Entry point: `app = create_app()`; `python app.py` serves the app with Socket.IO.

`python app.py` serves with gevent's WSGI server: one thread, a greenlet per connection, so
an open browser tab costs about 85 KB instead of four threads (docs/deploy.md, "the async
mode"). ASYNC_MODE=threading serves with Werkzeug's threaded server instead. gevent must
patch the standard library before anything else imports it.
"""

import os

if __name__ == "__main__" and os.environ.get("ASYNC_MODE", "gevent") == "gevent":
    from gevent import monkey

    monkey.patch_all()

from collab import create_app  # after gevent's patching, on purpose
from collab.extensions import socketio

app = create_app()

if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Rembuk is running on http://{host}:{port}/ ({socketio.async_mode})")
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
