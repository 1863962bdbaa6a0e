"""The dashboard side of ``haul bench ingest``: Socket.IO servers run as in production, and clients.

Servers: one gunicorn process per port with a single gevent worker (docs/deployment.md), the
app in gevent async mode (``HAUL_ASYNC_MODE=gevent``), all relaying through Redis. The threaded
development server (``haul serve``) spends a thread per client and was the bottleneck of the
benchmark with 500 clients (p99 publish->client 26.9 s).

Clients: `client_process` runs in its own process, so the load generator and the report do not
compete with the clients for one interpreter. Every client is a real ``socketio.AsyncClient`` on
a WebSocket to a server process; it follows its loads with the same ``join`` the dashboards use,
and takes each fix of a ``position`` event (or of a ``positions`` batch) and the fix time it
carries (the publish time) to measure publish->client latency.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def start_server(port: int, env: dict, log_path: Path) -> subprocess.Popen:
    """One production-style Socket.IO server process on ``port``."""
    return subprocess.Popen(
        [GUNICORN, "--worker-class", "gevent", "-w", "1", "--worker-connections", "2000", "--bind",
         f"127.0.0.1:{port}", "--graceful-timeout", "5", "server.wsgi:app"],
        env={**env, "HAUL_ASYNC_MODE": "gevent"}, stdout=subprocess.DEVNULL, stderr=log_path.open("wb"))


class MeasuredOnlyJson:
    """The clients' json module: what they measure is decoded, events are not.

    The clients share the 2 cores with what they measure, so they parse cheaply: the standard
    library's decoder (Socket.IO's default wrapper builds a decoder per packet, 5% of the clients'
    CPU in a profile), and none for ``event``/``events`` packets, which carry no fix. All the
    benchmark's loads are one buyer's, so each client is in that buyer's room and gets every load's
    events: the first ETA events of 1,000 vehicles made the clients decode for 2 s straight and
    every fix reached them ~1 s late.
    """

    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(text, **kwargs):
        if isinstance(text, str) and text.startswith('["event'):
            return ["events", []]  # no handler: dropped undecoded
        return json.loads(text, **kwargs)


def client_process(urls: list[str], token: str, follow: list[list[int]], ready, start, out) -> None:
    """Connect and join every client, set ``ready``, read ``stop_at`` from ``start``, listen until then.

    Puts ``{"latencies": [...ms], "joined": n, "failed": n}`` on ``out``.
    """
    os.environ.pop("HAUL_ASYNC_MODE", None)
    state = {"joined": 0, "failed": 0}
    latencies: list[float] = []
    asyncio.run(_clients(urls, token, follow, state, latencies, ready, start))
    out.put({"latencies": latencies, **state})


async def _clients(urls, token, follow, state, latencies, ready, start) -> None:
    import socketio

    go = asyncio.Event()
    timing: dict[str, float] = {}

    def note(fix: dict) -> None:
        latencies.append(time.time() * 1000 - datetime.fromisoformat(fix["time"]).timestamp() * 1000)

    async def one(url: str, loads: list[int]):
        client = socketio.AsyncClient(reconnection=False, json=MeasuredOnlyJson)

        @client.on("position")
        async def position(data):
            note(data)

        @client.on("positions")
        async def positions(batch):
            for fix in batch:
                note(fix)

        try:
            await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=60)
            for load in loads:
                await client.call("join", {"load_id": load}, timeout=120)
            state["joined"] += 1
            await go.wait()
            await asyncio.sleep(max(0.0, timing["stop_at"] - time.time()))
        except Exception:
            state["failed"] += 1
        finally:
            if client.connected:
                await client.disconnect()

    tasks = []
    for i, loads in enumerate(follow):  # in waves: 5,000 joins at once would time out
        tasks.append(asyncio.create_task(one(urls[i % len(urls)], loads)))
        if i % 25 == 24:
            await asyncio.sleep(0.5)
    while state["joined"] + state["failed"] < len(follow):
        await asyncio.sleep(0.2)
    # The clients' objects live until the end: frozen, later full collections skip them. A full
    # collection over them takes 0.2-0.3 s here, during which no client of this process reads.
    gc.collect()
    gc.freeze()
    ready.set()
    timing["stop_at"] = await asyncio.get_running_loop().run_in_executor(None, start.get)
    go.set()
    await asyncio.gather(*tasks, return_exceptions=True)
