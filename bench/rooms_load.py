"""Co-thinking rooms under load (issue 5's budgets), on one server process.

A file database holds one school with 20 teams of 10 teachers and each team's room. The app
runs as its own process (`python app.py`, as `make run` serves it: gevent's server, unless
ASYNC_MODE=threading). The 200 teachers sign in over HTTP; two client processes
(`bench.rooms_clients`, 100 python-socketio clients each, over WebSocket) connect and join
their rooms. Then:

- memory per idle connection: the server's resident memory (VmRSS) with every member
  connected and in their room, minus what it was before (after the sign-ins and a warm-up
  connection), divided by the number of members;
- load: every member sends a message every 5 s for REMBUK_BENCH_ROOMS_SECONDS (default 60);
  the delivery latency is the time from the sender's `message:send` to each other member's
  `message:new` (p50, p95, p99, max); a delivery that never arrives is lost.

REMBUK_BENCH_ASYNC_MODES=gevent,threading runs the same load once per mode (default: gevent,
the app's own; `/postgresql` after a mode runs it on PostgreSQL; `+redis` after the database,
e.g. `gevent/sqlite+redis`, with a Redis message queue as in a scale-out install: the queue
manager and the presence kept in Redis, on one process; `+redis*2` on two processes sharing
the database and Redis, the members of each room taking turns between them, so that every
delivery crosses from one process to the other half of the time — issue 16, item 5).
With several processes the memory figures are the first process's.

`make bench` runs `gevent` and `gevent/postgresql+redis*2`.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.home_time import percentile

ROOT = Path(__file__).resolve().parent.parent
ROOMS = 20
PER_ROOM = 10
INTERVAL_S = 5.0
DRAIN_S = 3.0  # after the last send, wait until nothing arrived for this long
DRAIN_MAX_S = 30.0  # but no longer than this
CLIENT_PROCESSES = 2
P99_BUDGET_MS = 100.0  # strictly under
LOST_BUDGET = 0  # at most
IDLE_BYTES_BUDGET = 100_000  # per idle connection, strictly under (100 KB)


@dataclass
class RoomsLoad:
    mode: str
    members: int
    rooms: int
    seconds: float
    sent: int
    acked: int
    expected: int
    received: int
    lost: int
    duplicates: int
    disconnects: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    ack_p50_ms: float
    ack_p99_ms: float
    server_cpu_s: float
    server_cpu_ms_per_message: float
    clients_cpu_s: float
    load_average_1min: float
    rss_before_bytes: int
    rss_idle_bytes: int
    rss_after_load_bytes: int
    idle_bytes_per_connection: float
    database: str = "sqlite"
    processes: int = 1


def seconds() -> float:
    return float(os.environ.get("REMBUK_BENCH_ROOMS_SECONDS", "60"))


DEFAULT_RUNS = "gevent,gevent/postgresql+redis*2"


def runs() -> list[tuple[str, str]]:
    """(async mode, database) pairs: REMBUK_BENCH_ASYNC_MODES, e.g. `gevent,threading` or
    `gevent/postgresql` or `gevent/sqlite+redis*2`; the database is sqlite unless named."""
    pairs = []
    for item in os.environ.get("REMBUK_BENCH_ASYNC_MODES", DEFAULT_RUNS).split(","):
        mode, _, database = item.strip().partition("/")
        if mode:
            pairs.append((mode, database or "sqlite"))
    return pairs


def _server(database_url: str, mode: str, message_queue: str | None = None):
    from tests.support.appserver import AppProcess

    return AppProcess(database_url, message_queue, env={"ASYNC_MODE": mode})


def _warm_up(server, seat: dict) -> None:
    """One connection, join and message before measuring, so that lazily imported modules
    and first-use caches are not counted as the connections' memory."""
    import socketio

    client = socketio.Client(reconnection=False)
    client.connect(server.url, headers={"Cookie": seat["cookie"]}, transports=["websocket"],
                   wait_timeout=10)
    client.call("room:join", {"room_id": seat["room_id"], "since_id": None}, timeout=10)
    client.call("message:send", {"room_id": seat["room_id"], "client_id": "warm-up",
                                 "body": "Pemanasan."}, timeout=10)
    client.disconnect()


def _start_clients(url: str, seats: list[dict], duration: float) -> list[subprocess.Popen]:
    workers = []
    for n in range(CLIENT_PROCESSES):
        job = {"url": url, "seats": seats[n::CLIENT_PROCESSES], "interval": INTERVAL_S,
               "duration": duration, "drain": DRAIN_S, "drain_max": DRAIN_MAX_S}
        worker = subprocess.Popen([sys.executable, "-m", "bench.rooms_clients"], cwd=ROOT,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        worker.stdin.write(json.dumps(job) + "\n")
        worker.stdin.flush()
        workers.append(worker)
    return workers


def _expect(worker: subprocess.Popen, word: str) -> str:
    line = worker.stdout.readline()
    if not line.startswith(word):
        worker.kill()
        raise RuntimeError(f"a client process answered {line!r} instead of {word!r}")
    return line


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _settled_rss(server, wait: float = 2.0) -> int:
    time.sleep(wait)
    return server.rss_bytes()


def _measure(mode: str, sends: list, receipts: list, seats: list[dict], duration: float,
             rss: tuple[int, int, int], disconnects: int, cpu_s: float,
             clients_cpu_s: float, connections_measured: int) -> RoomsLoad:
    room_of = {s["index"]: s["room_id"] for s in seats}
    members_of: dict[int, int] = {}
    for s in seats:
        members_of[s["room_id"]] = members_of.get(s["room_id"], 0) + 1
    sent_at = {s["client_id"]: s for s in sends}
    latencies, seen, duplicates = [], set(), 0
    for receiver, _message_id, client_id, at in receipts:
        send = sent_at.get(client_id)
        if send is None or send["sender"] == receiver or room_of[receiver] != send["room_id"]:
            continue  # the warm-up message, or one's own echo
        key = (receiver, client_id)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        latencies.append((at - send["sent"]) * 1000)
    expected = sum(members_of[s["room_id"]] - 1 for s in sends)
    latencies.sort()
    acks = sorted((s["acked"] - s["sent"]) * 1000 for s in sends if s["ok"])
    before, idle, after = rss

    def pct(values, share):
        return percentile(values, share) if values else float("inf")

    return RoomsLoad(
        mode=mode, members=len(seats), rooms=len(members_of), seconds=duration,
        sent=len(sends), acked=len(acks), expected=expected, received=len(latencies),
        lost=expected - len(latencies), duplicates=duplicates, disconnects=disconnects,
        p50_ms=pct(latencies, 0.5), p95_ms=pct(latencies, 0.95), p99_ms=pct(latencies, 0.99),
        max_ms=latencies[-1] if latencies else float("inf"),
        ack_p50_ms=pct(acks, 0.5), ack_p99_ms=pct(acks, 0.99),
        server_cpu_s=cpu_s, server_cpu_ms_per_message=cpu_s * 1000 / max(1, len(sends)),
        clients_cpu_s=clients_cpu_s,
        load_average_1min=round(os.getloadavg()[0], 2),
        rss_before_bytes=before, rss_idle_bytes=idle, rss_after_load_bytes=after,
        idle_bytes_per_connection=(idle - before) / connections_measured)


def run_mode(database_url: str, room_seats, mode: str, duration: float,
             message_queue: str | None = None, processes: int = 1) -> RoomsLoad:
    from tests.support.appserver import signed_in_cookie

    servers = [_server(database_url, mode, message_queue).launch() for _ in range(processes)]
    server = servers[0]  # its memory is measured
    try:
        for each in servers:
            each.wait_ready(timeout=60)
        seats = []
        for seat in room_seats:
            for n, email in enumerate(seat.emails):
                # Each room's members take turns between the processes.
                url = servers[n % processes].url
                seats.append({"index": len(seats), "room_id": seat.room_id, "url": url,
                              "cookie": signed_in_cookie(url, email)})
        for each in servers:
            _warm_up(each, next(s for s in seats if s["url"] == each.url))
        before = _settled_rss(server)
        workers = _start_clients(server.url, seats, duration)
        try:
            for worker in workers:
                _expect(worker, "ready")
            idle = _settled_rss(server)
            cpu_before = sum(_cpu_seconds(each.pid) for each in servers)
            for worker in workers:
                worker.stdin.write("go\n")
                worker.stdin.flush()
            results = [json.loads(_expect(worker, "{")) for worker in workers]
            cpu = sum(_cpu_seconds(each.pid) for each in servers) - cpu_before
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.wait(timeout=30)
        after = server.rss_bytes()
    finally:
        for each in servers:
            each.stop()
    sends = [s for r in results for s in r["sends"]]
    receipts = [tuple(x) for r in results for x in r["receipts"]]
    disconnects = sum(r["disconnects"] for r in results)
    clients_cpu = sum(r["cpu_s"] for r in results)
    on_first = sum(1 for seat in seats if seat["url"] == server.url)
    result = _measure(mode, sends, receipts, seats, duration, (before, idle, after),
                      disconnects, cpu, clients_cpu, on_first)
    result.processes = processes
    return result


def run() -> list[RoomsLoad]:
    """The load on one server process, once per async mode (and database) asked for."""
    from tests.support.appserver import make_rooms_database
    from tests.support.pgserver import PostgresServer
    from tests.support.redisserver import RedisServer

    results = []
    for mode, database in runs():
        # A fresh database per run: each starts from the same empty rooms.
        base, _, queue = database.partition("+")
        queue, _, count = queue.partition("*")
        with TemporaryDirectory(prefix="rembuk-rooms-") as tmp:
            postgres = PostgresServer().start() if base == "postgresql" else None
            redis = RedisServer().start() if queue == "redis" else None
            try:
                url = postgres.create_database("rooms") if postgres else None
                database_url, room_seats = make_rooms_database(Path(tmp), ROOMS, PER_ROOM,
                                                               url=url)
                result = run_mode(database_url, room_seats, mode, seconds(),
                                  redis.url if redis else None, int(count or 1))
            finally:
                if postgres:
                    postgres.stop()
                if redis:
                    redis.stop()
            result.database = database
            results.append(result)
    return results


def details(results: list[RoomsLoad]) -> dict:
    return {"budgets": {"p99_ms_under": P99_BUDGET_MS, "lost_at_most": LOST_BUDGET,
                        "idle_bytes_per_connection_under": IDLE_BYTES_BUDGET},
            "runs": [asdict(r) for r in results]}


if __name__ == "__main__":
    import logging

    logging.disable(logging.INFO)
    for result in run():
        print(json.dumps(asdict(result), indent=2))
