"""How `python app.py` serves: gevent's WSGI server with a handler that sends responses
without Nagle's delay (issue 16), and a watch on gevent's loop that reports a request
holding it (`watch_the_loop`, also under gunicorn). The handler is used by app.py and by the
bare yardstick app of the benchmarks (bench/bare_app.py), so that both are served alike."""

import logging
import socket
import sys
import traceback
import warnings
import weakref
from pathlib import Path


def no_delay_handler(async_mode: str) -> dict:
    """gevent's WSGI server option that sets TCP_NODELAY on every accepted connection.

    gevent's server writes the headers and the body in two small writes; on a kept-alive
    connection the second waited for the client's delayed ACK, about 40 ms per request.
    (Werkzeug's threaded server closes the connection after each response: no stall.)"""
    if async_mode != "gevent":
        return {}
    from gevent.pywsgi import WSGIHandler

    class NoDelayHandler(WSGIHandler):
        def __init__(self, sock, address, server, rfile=None):
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().__init__(sock, address, server, rfile)

    return {"handler_class": NoDelayHandler}


# --- the loop watch (issue 16, item 4) ----------------------------------------------------

LOG = logging.getLogger("rembuk.loop")
_serving: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class LoopWatch:
    """WSGI: remembers which request each greenlet serves, so that a report of a held loop
    names it (a dictionary entry per request)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        from gevent import getcurrent

        _serving[getcurrent()] = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
        return self.wsgi_app(environ, start_response)


def watch_the_loop(app, max_ms: float) -> bool:
    """Under gevent, have gevent's monitor thread report every time one greenlet holds the
    loop for `max_ms` or more, as one warning that names the request (and, while the hold is
    still going on when the monitor reports, its innermost frames: a hold of a few hundred
    ms; a shorter one is reported as it ends, with the loop's own frames), instead of
    gevent's own report of every greenlet. Returns whether it watches (not without gevent's
    patching, or with max_ms 0)."""
    from gevent import config, events, get_hub, monkey

    if max_ms <= 0 or not monkey.is_module_patched("socket"):
        return False
    config.max_blocking_time = max_ms / 1000
    config.monitor_thread = True
    config.print_blocking_reports = False
    app.wsgi_app = LoopWatch(app.wsgi_app)

    loop = get_hub()

    def report(event):
        # Only the serving loop: a thread of gevent's pool (password hashing) has a hub of
        # its own, which waits for work by blocking, as it should.
        if not isinstance(event, events.EventLoopBlocked) or event.hub is not loop:
            return
        # The loop's thread is still running the greenlet that holds it: its frames now.
        frame = sys._current_frames().get(loop.thread_ident)
        frames = traceback.extract_stack(frame)[-3:] if frame is not None else []
        LOG.warning("loop held for %d ms or more by %s; innermost: %s", max_ms,
                    _serving.get(event.greenlet, "no request"),
                    " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                                for f in reversed(frames)) or "?")

    if report not in events.subscribers:
        events.subscribers.append(report)
    # The monitor also offers to watch memory, which needs psutil: not what it is here for.
    warnings.filterwarnings("ignore", message="Unable to monitor memory usage")
    loop.start_periodic_monitoring_thread()
    return True


def compile_templates(app) -> int:
    """Compile every template before the first request (about 0.7 s at start): a page's
    first view otherwise compiled its templates on the loop, holding it for 50 ms or more
    (the loop watch named `GET /plans/new` during bench/loop_stall.py). Returns how many."""
    environment = app.jinja_env
    names = environment.list_templates()
    for name in names:
        environment.get_template(name)
    return len(names)
