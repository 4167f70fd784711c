"""`python -m bench`: run every benchmark (or `--only NAME`) and print one JSON object."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable
from importlib import metadata
from typing import Any

from bench import Options, api_load, corpus, ingest_load, push_latency, search_load, tagger_speed

BENCHMARKS: dict[str, Callable[[Options], dict[str, Any]]] = {
    tagger_speed.NAME: tagger_speed.run,
    ingest_load.NAME: ingest_load.run,
    search_load.NAME: search_load.run,
    api_load.NAME: api_load.run,
    push_latency.NAME: push_latency.run,
}


def version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """What the ratios were measured on: a shared machine's CPUs matter to anyone comparing."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "spacy": version("spacy"),
    }


def build_report(machine: dict[str, Any], benchmarks: dict[str, Any]) -> dict[str, Any]:
    return {"machine": machine, "benchmarks": benchmarks}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run (1,000 items)")
    parser.add_argument("--only", choices=sorted(BENCHMARKS), help="run this benchmark alone")
    parser.add_argument("--items", type=int, help="corpus size (default 5,000; quick 1,000)")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; the best counts")
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> Options:
    size = corpus.QUICK_ITEMS if args.quick else corpus.DEFAULT_ITEMS
    return Options(items=args.items or size, seed=args.seed, repeats=max(1, args.repeats))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    options = options_from(args)
    names = [args.only] if args.only else list(BENCHMARKS)
    results = {name: BENCHMARKS[name](options) for name in names}
    json.dump(build_report(machine_info(), results), sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
