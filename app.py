"""Entry point: `app = create_app()`; `python app.py` serves the app with Socket.IO."""

import os

from collab import create_app
from collab.extensions import socketio

app = create_app()

if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Rembuk is running on http://{host}:{port}/")
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
