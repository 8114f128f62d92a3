"""CPU-heavy work off the gevent loop (issue 16, item 4).

Under gevent one process serves every request and socket on one loop; a password hash
(scrypt, N=2^17, about 100 ms of CPU) run on it stops every other request for that long, and
ten failed sign-ins at once froze /healthz for seconds. hashlib's scrypt and PBKDF2 release
the GIL, so in a thread of gevent's pool they run beside the loop. Without gevent (the
threaded server, tests, the command line) `off_loop` simply calls the function."""

import sys


def _gevent_patched() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


def off_loop(func, *args):
    """func(*args), in gevent's thread pool when the process runs on gevent's loop."""
    if not _gevent_patched():
        return func(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(func, args)
