"""Event fan-out latency over ``/api/ws``: N websocket clients in a separate process, on 2 cores.

For each order created through the HTTP API, every connected client records the time from the event's
``at`` (stamped inside the committing transaction, right before COMMIT) to its arrival. Runs the same
measurement with 1 client and with N clients against one server and prints both, with their ratio.

    .venv/bin/python bench/ws_fanout.py --clients 500 --events 40

The server runs on the embedded defaults (SQLite) with the demo organisation; the clients log in as
the demo agent, whose role receives every ``order.created`` event.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def client_main(url: str, n: int, expect: int, timeout: float) -> None:
    from websockets.asyncio.client import connect

    latencies: list[float] = []
    conns = []
    for _ in range(n):
        conns.append(await connect(url, open_timeout=30, max_queue=None))
    for c in conns:
        json.loads(await c.recv())  # hello
    print("READY", flush=True)

    async def listen(c) -> None:  # type: ignore[no-untyped-def]
        got = 0
        while got < expect:
            msg = json.loads(await c.recv())
            if msg["type"] != "order.created":
                continue
            arrived = time.time()
            sent = datetime.fromisoformat(msg["at"]).timestamp()
            latencies.append((arrived - sent) * 1000)
            got += 1

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(listen(c) for c in conns)), timeout=timeout)
    for c in conns:
        await c.close()
    print(
        json.dumps(
            {
                "received": len(latencies),
                "expected": n * expect,
                "p50_ms": pct(latencies, 0.5) if latencies else None,
                "p95_ms": pct(latencies, 0.95) if latencies else None,
            }
        ),
        flush=True,
    )


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HOTLINE_DATA_DIR": str(data_dir),
        "HOTLINE_EMBEDDER": "none",
        "HOTLINE_RUN_SCHEDULER": "0",
        "HOTLINE_DEMO_DATA": "1",
        "HOTLINE_EVENT_POLL_SECONDS": "0.5",
    }
    proc = subprocess.Popen(
        [PY, "-m", "uvicorn", "api.main:app", "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


def measure(port: int, token: str, clients: int, events: int) -> dict[str, float]:
    url = f"ws://127.0.0.1:{port}/api/ws?token={token}"
    proc = subprocess.Popen(
        [PY, __file__, "--client", "--url", url, "--clients", str(clients), "--events", str(events)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "READY":
        raise SystemExit(f"client process failed: {line!r}")
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    for i in range(events):
        res = http.post(
            "/api/orders",
            headers={"Idempotency-Key": str(uuid.uuid4())},
            json={
                "channel": "web",
                "request_type": "enquiry",
                "incident_address": "云城区桂花街道",
                "subject": f"压测工单 {i}",
                "description": "事件推送延迟测试",
            },
        )
        res.raise_for_status()
        time.sleep(0.25)
    out = proc.stdout.readline()
    proc.wait(timeout=60)
    return json.loads(out)  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=500)
    ap.add_argument("--events", type=int, default=40)
    ap.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.client:
        asyncio.run(client_main(args.url, args.clients, args.events, timeout=120))
        return
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(Path(tmp), port)
        try:
            token = httpx.post(
                f"http://127.0.0.1:{port}/api/auth/login", json={"username": "agent01", "password": "Demo@12345"}
            ).json()["access_token"]
            one = measure(port, token, 1, args.events)
            many = measure(port, token, args.clients, args.events)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{'clients':>8} {'received':>10} {'p50 ms':>8} {'p95 ms':>8}")
    for n, r in ((1, one), (args.clients, many)):
        print(f"{n:>8} {r['received']:>10} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f}")
    print(
        f"ratio {args.clients}/1: p50 {many['p50_ms'] / one['p50_ms']:.2f}x, p95 {many['p95_ms'] / one['p95_ms']:.2f}x"
    )
    print(json.dumps({"one": one, "many": many, "clients": args.clients}))


if __name__ == "__main__":
    main()
