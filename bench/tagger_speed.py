"""The tagger against plain `nlp.pipe` on the same items, with the same model, in the same run.

The tagger's claim is that it is at least 5x faster than running the spaCy pipeline on
everything, without losing events: its gates (a phrase gate, then the text models' relevance
floor) send only the items that may be in scope through the trained components, and its
lookup twin of the attribute ruler gives the stock ruler's output at a fraction of its cost.

The baseline is the stock model freshly loaded, running the same trained components the tagger
runs (the tagger leaves out NER, so the baseline does too); the stock model with every
component, NER included, is timed as well, as users who `spacy.load` it would run it. All are
timed over one mixed corpus (see `bench.corpus`), best of N alternating runs so that drift on a
shared machine hits each alike. Whether the speed was bought with recall is told by the events
the tagger finds when it parses every in-scope item and not through its gates (the gates' pass
rates are reported too).
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bench import Options
from bench.corpus import Item, build_mix, sample_out_of_scope_mean_chars
from econsec.config import Settings

if TYPE_CHECKING:
    from spacy.language import Language

NAME = "tagger_vs_nlp_pipe"
MODEL = Settings.model_fields["spacy_model"].default  # the one default, in econsec.config
BATCH_SIZE = 64
WARMUP_ITEMS = 200
TARGET_SPEEDUP = 5.0
EXAMPLES = 5


class Tagged(Protocol):
    in_scope: bool

    @property
    def events(self) -> Sequence[Any]: ...


class Tagger(Protocol):
    def tag_many(self, items: Iterable[tuple[str, str]]) -> Iterator[Tagged]: ...


@dataclass
class Timings:
    """Seconds of each timed run, per contender, in run order."""

    nlp_pipe: list[float] = field(default_factory=list)
    tagger: list[float] = field(default_factory=list)
    nlp_pipe_all_components: list[float] = field(default_factory=list)


def load_tagger(model: str = MODEL, batch_size: int = BATCH_SIZE) -> Tagger:
    """The real tagger; imported here so that `bench` itself never needs spaCy."""
    from extractors.pipeline import EventTagger

    return EventTagger(model=model, batch_size=batch_size)


def stock_pipes(model: str) -> list[str]:
    """The components the model package ships enabled, as its meta.json lists them."""
    import spacy.util

    return list(spacy.util.get_model_meta(spacy.util.get_package_path(model))["pipeline"])


def excluded_by_tagger() -> list[str]:
    """Stock components the tagger leaves out, so that the baseline leaves them out too."""
    try:
        module = importlib.import_module("extractors.pipeline")
    except ImportError:
        return []
    return list(getattr(module, "EXCLUDED_PIPES", ()))


def stock_nlp(model: str, exclude: Sequence[str] = ()) -> tuple[Language, list[str]]:
    """The stock model as `spacy.load` gives it, loaded apart from the tagger's own copy (which
    has econsec's components and lookup twins in it), and the components it runs."""
    import spacy

    nlp = spacy.load(model, exclude=list(exclude))
    return nlp, [name for name in stock_pipes(model) if name in nlp.pipe_names]


def text_joiner() -> Callable[[str, str], str]:
    """How the tagger turns (title, summary) into one text, so that `nlp.pipe` gets the same:
    the function its module uses, wherever that is defined, else title and summary on two lines."""
    try:
        joiner = getattr(importlib.import_module("extractors.pipeline"), "join_item", None)
    except ImportError:
        joiner = None
    return joiner if callable(joiner) else (lambda title, summary: f"{title}\n{summary}")


def timed(run: Callable[[], list[Any]], into: list[float]) -> list[Any]:
    """Run once, append its wall-clock seconds to `into`, and return what it returned."""
    start = time.perf_counter()
    out = run()
    into.append(time.perf_counter() - start)
    return out


def measure(
    run_nlp: Callable[[], list[Any]],
    run_tagger: Callable[[], list[Any]],
    repeats: int,
    run_all_components: Callable[[], list[Any]] | None = None,
) -> tuple[Timings, list[Any]]:
    """Time both `repeats` times, alternating which goes first (the all-components baseline, if
    given, after each pair); return the tagger's last output."""
    timings = Timings()
    results: list[Any] = []
    for i in range(repeats):
        tagger_first = i % 2 == 1
        if tagger_first:
            results = timed(run_tagger, timings.tagger)
        timed(run_nlp, timings.nlp_pipe)
        if not tagger_first:
            results = timed(run_tagger, timings.tagger)
        if run_all_components is not None:
            timed(run_all_components, timings.nlp_pipe_all_components)
    return timings, results


def rate(flags: Iterable[bool]) -> float | None:
    """Share of True in `flags`; None for an empty part (nothing to measure)."""
    values = list(flags)
    return round(sum(values) / len(values), 4) if values else None


def _titles(items: Iterable[Item], limit: int | None = None) -> list[str]:
    """Distinct titles in order, at most `limit` of them."""
    return list(dict.fromkeys(item.title for item in items))[:limit]


def gate_report(items: Sequence[Item], passed: Sequence[bool]) -> dict[str, Any]:
    """The gate's pass rates on each part of the mix, with the titles that explain them."""
    inside = [(i, p) for i, p in zip(items, passed, strict=True) if i.in_scope]
    outside = [(i, p) for i, p in zip(items, passed, strict=True) if not i.in_scope]
    return {
        "gate_pass_rate_out_of_scope": rate(p for _, p in outside),
        "gate_pass_rate_in_scope": rate(p for _, p in inside),
        "gate_missed_in_scope": _titles(i for i, p in inside if not p),
        "gate_passed_out_of_scope_examples": _titles((i for i, p in outside if p), EXAMPLES),
    }


def speed_report(count: int, timings: Timings) -> dict[str, Any]:
    """Items per second of each contender's best run, and the tagger's speedup over the baseline."""
    nlp_rate = count / min(timings.nlp_pipe)
    tagger_rate = count / min(timings.tagger)
    report = {
        "nlp_pipe_items_per_s": round(nlp_rate, 1),
        "tagger_items_per_s": round(tagger_rate, 1),
        "speedup": round(tagger_rate / nlp_rate, 2),
        "target_speedup": TARGET_SPEEDUP,
    }
    if timings.nlp_pipe_all_components:
        all_rate = count / min(timings.nlp_pipe_all_components)
        report["nlp_pipe_all_components_items_per_s"] = round(all_rate, 1)
        report["speedup_over_all_components"] = round(tagger_rate / all_rate, 2)
    return report


def events_lost(tagger: Tagger, items: Sequence[Item], results: Sequence[Tagged]) -> int | None:
    """Event types the tagger finds in the in-scope items when it parses every one of them
    (`gated=False`) but not through its gates: what the speed cost in recall. None for a tagger
    that cannot be run ungated."""
    inside = {item.pair: r for item, r in zip(items, results, strict=True) if item.in_scope}
    try:
        ungated = list(tagger.tag_many(list(inside), gated=False))  # type: ignore[call-arg]
    except TypeError:
        return None
    return sum(
        len({e.type for e in full.events} - {e.type for e in gated.events})
        for full, gated in zip(ungated, inside.values(), strict=True)
    )


def build_result(
    settings: dict[str, Any],
    items: Sequence[Item],
    timings: Timings,
    passed: Sequence[bool],
    lost: int | None = None,
) -> dict[str, Any]:
    """The benchmark's JSON. `meets_target` needs both halves of the target: the speedup, and
    no recall lost: no event type the tagger finds when it parses every in-scope item is lost
    to its gates (when `lost` is unknown, no in-scope item turned away)."""
    speed = speed_report(len(items), timings)
    gate = gate_report(items, passed)
    gate["in_scope_events_lost_to_the_gates"] = lost
    no_recall_lost = (
        lost == 0 if lost is not None else gate["gate_pass_rate_in_scope"] in (1.0, None)
    )
    fast = min(timings.nlp_pipe) >= TARGET_SPEEDUP * min(timings.tagger)
    verdict = {"no_recall_lost": no_recall_lost, "meets_target": fast and no_recall_lost}
    runs = {
        "nlp_pipe_seconds": _rounded(timings.nlp_pipe),
        "tagger_seconds": _rounded(timings.tagger),
    }
    if timings.nlp_pipe_all_components:
        runs["nlp_pipe_all_components_seconds"] = _rounded(timings.nlp_pipe_all_components)
    return settings | corpus_report(items) | speed | verdict | gate | runs


def corpus_report(items: Sequence[Item]) -> dict[str, Any]:
    """Size of each part, and its mean length: the speedup's ceiling depends on how long the
    items that still get the full pipeline are, next to the ones the gate turns away."""
    inside = [item for item in items if item.in_scope]
    outside = [item for item in items if not item.in_scope]
    return {
        "items": len(items),
        "in_scope_items": len(inside),
        "mean_chars_in_scope": _mean_chars(inside),
        "mean_chars_out_of_scope": _mean_chars(outside),
    }


def _mean_chars(items: Sequence[Item]) -> float | None:
    lengths = [len(item.title) + len(item.summary) for item in items]
    return round(sum(lengths) / len(lengths), 1) if lengths else None


def _rounded(seconds: list[float]) -> list[float]:
    return [round(s, 3) for s in seconds]


@dataclass
class Contenders:
    """Plain `nlp.pipe` and the tagger, each bound to the same items."""

    nlp: Language
    pipes: list[str]
    tagger: Tagger
    items: Sequence[Item]
    all_components: Language | None = None
    texts: list[str] = field(init=False)

    def __post_init__(self) -> None:
        join = text_joiner()
        self.texts = [join(*item.pair) for item in self.items]

    def run_nlp(self, limit: int | None = None) -> list[Any]:
        with self.nlp.select_pipes(enable=self.pipes):
            return list(self.nlp.pipe(self.texts[:limit], batch_size=BATCH_SIZE))

    def run_tagger(self, limit: int | None = None) -> list[Tagged]:
        return list(self.tagger.tag_many(item.pair for item in self.items[:limit]))

    def run_all_components(self, limit: int | None = None) -> list[Any]:
        assert self.all_components is not None
        return list(self.all_components.pipe(self.texts[:limit], batch_size=BATCH_SIZE))

    def warm_up(self) -> None:
        """Load lazy state (vectors, caches, first allocations) before anything is timed."""
        self.run_nlp(WARMUP_ITEMS)
        self.run_tagger(WARMUP_ITEMS)
        if self.all_components is not None:
            self.run_all_components(WARMUP_ITEMS)


def run(options: Options, tagger: Tagger | None = None, model: str = MODEL) -> dict[str, Any]:
    """Build the mix, warm both contenders up, time them, and report."""
    items = build_mix(options.items, options.seed)
    note(f"{NAME}: loading {model}")
    tagger = tagger or load_tagger(model, BATCH_SIZE)
    excluded = excluded_by_tagger()
    baseline, pipes = stock_nlp(model, exclude=excluded)
    everything, all_pipes = stock_nlp(model) if excluded else (None, pipes)
    race = Contenders(baseline, pipes, tagger=tagger, items=items, all_components=everything)
    race.warm_up()
    note(f"{NAME}: timing {len(items)} items, best of {options.repeats}")
    timings, results = measure(
        race.run_nlp,
        race.run_tagger,
        options.repeats,
        race.run_all_components if everything is not None else None,
    )
    settings = {"model": model, "batch_size": BATCH_SIZE, "seed": options.seed}
    settings |= {"repeats": options.repeats, "warmup_items": WARMUP_ITEMS}
    settings["nlp_pipe_components"] = race.pipes
    settings["nlp_pipe_all_components"] = all_pipes
    settings["tagger_components"] = list(getattr(getattr(tagger, "nlp", None), "pipe_names", []))
    settings["sample_feeds_mean_chars_out_of_scope"] = sample_out_of_scope_mean_chars()
    lost = events_lost(tagger, items, results)
    return build_result(settings, items, timings, [bool(r.in_scope) for r in results], lost)


def note(message: str) -> None:
    """Progress on stderr, so that stdout stays one JSON object."""
    print(message, file=sys.stderr, flush=True)
