"""One process of room members for bench/rooms_load.py (run as `python -m bench.rooms_clients`).

Reads a JSON job on stdin: the server's URL and its members (cookie, room, index). Connects
each as a python-socketio client over WebSocket and joins its room, prints `ready`, then waits
for a line `go` on stdin. From then on each member sends a message every `interval` seconds
(a fixed phase per member, so the sends are spread) for `duration` seconds; every `message:new`
a member receives is noted with the time. When nothing more arrives it prints one JSON line: the
sends (client id, time, ack) and the receipts (receiver, message id, client id, time).

Times are `time.monotonic()`: one clock for every process of the machine (CLOCK_MONOTONIC),
so a receipt in this process can be matched with a send in another.
"""

import heapq
import json
import os
import sys
import threading
import time

import socketio

CONNECT_TIMEOUT = 20


class Member:
    def __init__(self, url: str, seat: dict, receipts: list, lock: threading.Lock):
        self.index = seat["index"]
        self.room_id = seat["room_id"]
        self.url = url
        self.cookie = seat["cookie"]
        self.receipts = receipts
        self.lock = lock
        self.client = socketio.Client(reconnection=False, request_timeout=CONNECT_TIMEOUT)
        self.client.on("message:new", self.on_message)
        self.disconnects = 0
        self.client.on("disconnect", self.on_disconnect)

    def on_message(self, message):
        now = time.monotonic()
        with self.lock:
            self.receipts.append((self.index, message["id"], message["client_id"], now))

    def on_disconnect(self, *args):
        self.disconnects += 1

    def connect(self) -> None:
        self.client.connect(self.url, headers={"Cookie": self.cookie},
                            transports=["websocket"], wait_timeout=CONNECT_TIMEOUT)
        ack = self.client.call("room:join", {"room_id": self.room_id, "since_id": None},
                               timeout=CONNECT_TIMEOUT)
        if not ack or not ack.get("ok"):
            raise RuntimeError(f"member {self.index} could not join: {ack}")


def send_loop(members: list[Member], interval: float, duration: float, sends: list,
              lock: threading.Lock) -> None:
    """Send for every member on its own phase, `interval` apart, until `duration` is over."""
    start = time.monotonic()
    count = len(members)
    # Spread the members' phases evenly over one interval.
    due = [(start + interval * i / count, i, 0) for i in range(count)]
    heapq.heapify(due)
    end = start + duration
    while due:
        at, i, seq = heapq.heappop(due)
        if at >= end:
            continue
        delay = at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        member = members[i]
        client_id = f"b{member.index}-{seq}"
        record = {"client_id": client_id, "sender": member.index, "room_id": member.room_id,
                  "sent": time.monotonic(), "acked": None, "id": None, "ok": False}
        with lock:
            sends.append(record)

        def acked(answer=None, record=record):
            record["acked"] = time.monotonic()
            if isinstance(answer, dict) and answer.get("ok"):
                record["ok"] = True
                record["id"] = answer.get("id")
            else:
                record["error"] = answer

        try:
            member.client.emit("message:send", {"room_id": member.room_id,
                                                "client_id": client_id,
                                                "body": f"Pesan uji {seq} dari anggota "
                                                        f"{member.index}."},
                               callback=acked)
        except socketio.exceptions.SocketIOError as error:
            record["error"] = str(error)
        heapq.heappush(due, (at + interval, i, seq + 1))


def drain(receipts: list, quiet: float, longest: float) -> None:
    """Wait until nothing has arrived for `quiet` seconds (at most `longest` seconds): a late
    delivery counts in the latency, only one that never comes is lost."""
    end = time.monotonic() + longest
    seen = len(receipts)
    last_change = time.monotonic()
    while time.monotonic() < end and time.monotonic() - last_change < quiet:
        time.sleep(0.2)
        if len(receipts) != seen:
            seen, last_change = len(receipts), time.monotonic()


def main() -> int:
    job = json.loads(sys.stdin.readline())
    lock = threading.Lock()
    receipts: list = []
    sends: list = []
    # A seat names its server when the load spreads over several processes.
    members = [Member(seat.get("url", job["url"]), seat, receipts, lock)
               for seat in job["seats"]]
    # Connect a few at a time: 200 handshakes at once is not what is measured.
    threads = []
    for member in members:
        thread = threading.Thread(target=member.connect)
        thread.start()
        threads.append(thread)
        if len(threads) % 5 == 0:
            for t in threads[-5:]:
                t.join()
    for thread in threads:
        thread.join()
    if not all(m.client.connected for m in members):
        print(json.dumps({"error": "not every member connected"}), flush=True)
        return 1
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 1
    cpu = time.process_time()
    send_loop(members, job["interval"], job["duration"], sends, lock)
    drain(receipts, job["drain"], job["drain_max"])
    cpu = time.process_time() - cpu
    disconnects = sum(m.disconnects for m in members)
    with lock:
        print(json.dumps({"sends": sends, "receipts": receipts,
                          "disconnects": disconnects, "cpu_s": cpu}), flush=True)
    # No goodbye: closing 100 clients one by one takes long, and the server sees the
    # connections close with the process either way.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
