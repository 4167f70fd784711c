"""Concurrent API searches: `GET /api/events` (one line per story, with facets, as the search
page asks) from several clients at once against `econsec serve`'s app under uvicorn, over the
search benchmark's store (1,000,000 events, built or found in its cache).

The baseline, measured in the same run over the same requests, is one client at a time: the
ratio `concurrent_vs_one_client` says how far concurrency raises throughput on this machine.
The server runs in a process of its own, so that the clients do not share its interpreter
lock; request counts and time are bounded, and everything stays on loopback.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench import Options, search_load
from bench.ingest_load import free_port
from bench.tagger_speed import note

NAME = "api_load"
CLIENTS = 8
REQUESTS = 400
ROOT = Path(__file__).resolve().parents[1]
SERVE = """
import sys, uvicorn
from econsec.config import Settings
from econsec.web.app import create_app
app = create_app(Settings(store=sys.argv[1]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""
# what the search page sends, in the API's own parameters
SEARCHES = [
    {},
    {"q": "gallium OR germanium OR graphite", "category": "export_control", "since": "2023-06-01"},
    {"q": "semiconductor OR chip", "country": "CN"},
    {"q": "Huawei", "category": "vendor_exclusion"},
    {"q": '"national security"', "sort": "relevance"},
    {"country": "US", "status": "enacted", "since": "2024-10-01"},
    {"q": "subsidy OR subsidies", "country": "EU"},
    {"q": "tariff", "sort": "relevance", "page": "2"},
]


class ApiServer:
    """uvicorn serving `create_app` over the store at `root`, in its own process."""

    def __init__(self, root: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(root), str(self.port)], cwd=ROOT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/feeds", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError("the API server did not start")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def paths(count: int) -> list[str]:
    return [f"/api/events?{urlencode(SEARCHES[n % len(SEARCHES)])}" for n in range(count)]


def hammer(base: str, requests: list[str], clients: int) -> dict[str, Any]:
    """Every request sent once, by `clients` threads each with its own connection."""
    local = [httpx.Client(base_url=base, timeout=60) for _ in range(clients)]

    def one(n: int) -> tuple[float, int]:
        started = time.perf_counter()
        status = local[n % clients].get(requests[n]).status_code
        return time.perf_counter() - started, status

    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            answers = list(pool.map(one, range(len(requests))))
    finally:
        for client in local:
            client.close()
    elapsed = time.perf_counter() - started
    latencies = [seconds for seconds, _ in answers]
    return {
        "clients": clients,
        "requests": len(requests),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(requests) / elapsed, 1),
        "p50_ms": search_load.ms(statistics.median(latencies)),
        "p95_ms": search_load.ms(search_load.percentile(latencies, 0.95)),
        "statuses": dict(Counter(str(status) for _, status in answers)),
    }


def run(options: Options, root: Path | None = None, requests: int = REQUESTS) -> dict[str, Any]:
    count = options.items * search_load.EVENTS_PER_OPTION_ITEM
    root = root or search_load.cache_root(count, options.seed)
    built = search_load.build(root, count, options.seed)
    note(f"{NAME}: serving {count} events from {root}")
    server = ApiServer(root)
    try:
        warm = paths(len(SEARCHES))
        hammer(server.base, warm, 1)  # first touches of the index, not timed
        note(f"{NAME}: {requests} searches by one client, then by {CLIENTS} at once")
        alone = hammer(server.base, paths(requests // 4), 1)
        together = hammer(server.base, paths(requests), CLIENTS)
    finally:
        server.close()
    return {
        "events": count,
        "build_cached": built["build_cached"],
        "endpoint": "/api/events (collapsed, with facets)",
        "concurrent": together,
        "one_client": alone,
        "concurrent_vs_one_client": round(together["requests_per_s"] / alone["requests_per_s"], 2),
    }
