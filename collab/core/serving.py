"""How `python app.py` serves: gevent's WSGI server with a handler that sends responses
without Nagle's delay (issue 16). Used by app.py and by the bare yardstick app of the
benchmarks (bench/bare_app.py), so that both are served the same way."""

import socket


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
