"""Speed benchmarks of econsec, run with `python -m bench` (`make bench`).

Speed is always reported as a ratio against a baseline measured in the same run, because the
machines are shared and noisy: an absolute items/s figure means little from one run to the next.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """What every benchmark is told: corpus size and seed, and how many timed runs to keep."""

    items: int
    seed: int
    repeats: int = 3
