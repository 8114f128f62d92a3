"""CPU-heavy work off the gevent loop (issue 16, item 4).

Under gevent one process serves every request and socket on one loop; a password hash
(scrypt, N=2^17, about 100 ms of CPU) run on it stops every other request for that long, and
ten failed sign-ins at once froze /healthz for seconds. hashlib's scrypt and PBKDF2 release
the GIL, so in a thread of gevent's pool they run beside the loop. Without gevent (the
threaded server, tests, the command line) `off_loop` simply calls the function."""

import os
import sys


def _gevent_patched() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


_pool = None


def _cpu_pool():
    """A pool of its own, one thread fewer than the cores (at least one): ten sign-ins at
    once in gevent's pool of ten ran ten hashes on two cores, and the loop's thread waited
    for a core behind them (/healthz up to 0.8 s in bench/loop_stall.py). Queued here,
    they leave the loop a core; a burst of sign-ins waits in turn instead."""
    global _pool
    if _pool is None:
        from gevent.threadpool import ThreadPool

        _pool = ThreadPool(maxsize=max(1, (os.cpu_count() or 2) - 1))
    return _pool


def off_loop(func, *args):
    """func(*args), in the CPU pool when the process runs on gevent's loop."""
    if not _gevent_patched():
        return func(*args)
    return _cpu_pool().apply(func, args)
