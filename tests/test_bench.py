"""The benchmark's corpus and report, checked without loading spaCy (the timing itself is not)."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bench import (
    Options,
    api_load,
    corpus,
    ingest_load,
    push_latency,
    search_load,
    tagger_speed,
)
from bench.__main__ import BENCHMARKS, build_report, machine_info, options_from, parse_args
from bench.corpus import Item

# Phrases that mark economic-security news: an out-of-scope item holding one would be a gate
# pass the benchmark charges to the tagger, and would not be out of scope at all.
POLICY_TRIGGERS = re.compile(
    r"\b(export control|export ban|export curb|sanction|entity list|tariff|subsid|ban on|"
    r"embargo|blacklist|national security|economic security|supply chain|semiconductor|chip|"
    r"rare earth|cfius|foreign invest|state aid|tax credit|dual-use|wto|trade deal|"
    r"trade agreement|cyber|espionage|huawei|tiktok|retaliat|countermeasure|coercion)",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def pool() -> list[Item]:
    return corpus.sample_in_scope()


def test_mix_is_deterministic_for_a_seed(pool: list[Item]) -> None:
    first = corpus.build_mix(600, seed=7, in_scope=pool)
    assert first == corpus.build_mix(600, seed=7, in_scope=pool)
    assert first != corpus.build_mix(600, seed=8, in_scope=pool)


@pytest.mark.parametrize("total", [1000, 5000, 250, 10])
def test_mix_has_the_requested_count_and_in_scope_share(pool: list[Item], total: int) -> None:
    items = corpus.build_mix(total, seed=1, in_scope=pool)
    assert len(items) == total
    assert sum(item.in_scope for item in items) == total // 10


def test_in_scope_part_cycles_the_sample_feeds(pool: list[Item]) -> None:
    inside = [item for item in corpus.build_mix(5000, in_scope=pool) if item.in_scope]
    assert set(inside) == set(pool) and len(pool) < len(inside)


def test_general_news_is_varied() -> None:
    items = corpus.general_news(1000, corpus.random.Random(3))
    assert len({item.title for item in items}) >= 900
    assert len({item.pair for item in items}) >= 990
    assert len(corpus.TEMPLATES) >= 40
    assert len(Counter(category for category, _, _ in corpus.TEMPLATES)) >= 10


def test_out_of_scope_items_hold_no_policy_trigger() -> None:
    items = corpus.general_news(5000, corpus.random.Random(11))
    assert not [item.title for item in items if POLICY_TRIGGERS.search(f"{item.pair}")]


def test_out_of_scope_lengths_match_the_sample_feeds() -> None:
    """Realistic general news: one to three sentences, as long as the feeds' own on average."""
    items = corpus.general_news(5000, corpus.random.Random(5))
    lengths = [len(item.title) + len(item.summary) for item in items]
    reference = corpus.sample_out_of_scope_mean_chars()
    assert 200 < reference < 260
    assert abs(sum(lengths) / len(lengths) - reference) < 0.05 * reference
    sentences = Counter(item.summary.count(". ") + 1 for item in items)
    assert set(sentences) <= {1, 2, 3} and min(sentences.values()) > 500


def _word_lists() -> list[str]:
    pools = [v for name, v in vars(corpus).items() if name.isupper() and isinstance(v, tuple)]
    return [word for pool in pools for word in pool if isinstance(word, str)]


def test_templates_and_word_lists_hold_no_policy_trigger() -> None:
    texts = [part for template in corpus.TEMPLATES for part in template]
    texts += [closer for closers in corpus.CLOSERS.values() for closer in closers]
    texts += _word_lists()
    assert len(texts) > 500
    assert not [text for text in texts if POLICY_TRIGGERS.search(text)]


def test_every_slot_has_a_filler_and_every_category_closers() -> None:
    texts = [title + summary for _, title, summary in corpus.TEMPLATES]
    texts += [closer for closers in corpus.CLOSERS.values() for closer in closers]
    names = {n for text in texts for _, n, _, _ in string.Formatter().parse(text) if n}
    assert {name.rstrip("2") for name in names} <= set(corpus.SLOTS)
    assert {category for category, _, _ in corpus.TEMPLATES} == set(corpus.CLOSERS)


def test_sample_pool_is_the_feeds_policy_items(pool: list[Item]) -> None:
    titles = {title for title, _ in corpus.feed_items()}
    assert corpus.SAMPLE_OUT_OF_SCOPE.issubset(titles)
    assert pool and all(item.in_scope and item.title and item.summary for item in pool)
    assert not {item.title for item in pool} & corpus.SAMPLE_OUT_OF_SCOPE
    assert len(set(pool)) == len(pool)


def _fake_run() -> tuple[list[Item], list[bool]]:
    items = [Item(f"in {i}", "s", True) for i in range(2)]
    items += [Item(f"out {i}", "s", False) for i in range(18)]
    passed = [True, False] + [i == 0 for i in range(18)]
    return items, passed


def test_result_has_the_documented_keys_and_ratio() -> None:
    items, passed = _fake_run()
    timings = tagger_speed.Timings(nlp_pipe=[2.0, 1.0, 1.5], tagger=[0.3, 0.2, 0.25])
    result = tagger_speed.build_result({"model": "m"}, items, timings, passed)
    assert result["nlp_pipe_items_per_s"] == 20.0 and result["tagger_items_per_s"] == 100.0
    assert result["speedup"] == 5.0 and result["target_speedup"] == 5.0
    assert result["gate_pass_rate_in_scope"] == 0.5
    assert result["gate_pass_rate_out_of_scope"] == round(1 / 18, 4)
    assert result["gate_missed_in_scope"] == ["in 1"]
    assert result["no_recall_lost"] is False and result["meets_target"] is False
    assert result["items"] == 20 and result["in_scope_items"] == 2 and result["model"] == "m"
    assert result["mean_chars_in_scope"] == 5.0 and result["mean_chars_out_of_scope"] == 6.4


def test_target_is_met_with_speed_and_full_recall() -> None:
    items, _ = _fake_run()
    passed = [item.in_scope for item in items]
    timings = tagger_speed.Timings(nlp_pipe=[1.0], tagger=[0.1])
    result = tagger_speed.build_result({}, items, timings, passed)
    assert result["meets_target"] is True and result["gate_pass_rate_out_of_scope"] == 0.0


def test_no_recall_lost_is_judged_by_events_when_they_are_counted() -> None:
    items, passed = _fake_run()  # one in-scope item turned away
    timings = tagger_speed.Timings(nlp_pipe=[1.0], tagger=[0.1])
    kept = tagger_speed.build_result({}, items, timings, passed, lost=0)
    assert kept["no_recall_lost"] is True and kept["in_scope_events_lost_to_the_gates"] == 0
    assert kept["gate_pass_rate_in_scope"] == 0.5
    lost = tagger_speed.build_result({}, items, timings, [True] * len(items), lost=1)
    assert lost["no_recall_lost"] is False and lost["meets_target"] is False


@dataclass
class _Result:
    in_scope: bool
    events: list[SimpleNamespace]


class _GatedTagger:
    """Finds `kind` in every item; through its gate, only in items whose title starts "kept"."""

    def tag_many(self, items: Iterable[tuple[str, str]], gated: bool = True) -> Iterator[_Result]:
        for title, _ in items:
            passes = not gated or title.startswith("kept")
            yield _Result(passes, [SimpleNamespace(type="kind")] if passes else [])


def test_events_lost_counts_what_the_gates_cost() -> None:
    items = [Item("kept 1", "s", True), Item("dropped", "s", True), Item("out", "s", False)]
    tagger = _GatedTagger()
    results = list(tagger.tag_many(item.pair for item in items))
    assert tagger_speed.events_lost(tagger, items, results) == 1


def test_events_lost_is_unknown_for_a_tagger_with_no_ungated_mode() -> None:
    class Plain:
        def tag_many(self, items: Iterable[tuple[str, str]]) -> Iterator[_Result]:
            return iter([])

    assert tagger_speed.events_lost(Plain(), [Item("a", "s", True)], [_Result(True, [])]) is None


def test_measure_alternates_and_keeps_the_taggers_output() -> None:
    calls: list[str] = []

    def contender(name: str) -> Callable[[], list[str]]:
        def run() -> list[str]:
            calls.append(name)
            return [name]

        return run

    timings, out = tagger_speed.measure(contender("nlp"), contender("tagger"), 3)
    assert calls == ["nlp", "tagger", "tagger", "nlp", "nlp", "tagger"] and out == ["tagger"]
    assert len(timings.nlp_pipe) == len(timings.tagger) == 3


def test_report_shape_and_options() -> None:
    report = build_report(machine_info(), {"x": {}})
    assert set(report) == {"machine", "benchmarks"}
    assert {"cpu_count", "python", "platform"} <= set(report["machine"])
    assert options_from(parse_args(["--quick"])) == Options(1000, corpus.DEFAULT_SEED, 3)
    assert options_from(parse_args([])).items == corpus.DEFAULT_ITEMS
    assert parse_args(["--only", tagger_speed.NAME]).only in BENCHMARKS
    with pytest.raises(SystemExit):
        parse_args(["--only", "nope"])


def test_all_components_baseline_is_reported_beside_the_target_one() -> None:
    items, passed = _fake_run()
    timings = tagger_speed.Timings(nlp_pipe=[1.0], tagger=[0.2], nlp_pipe_all_components=[2.0])
    result = tagger_speed.build_result({}, items, timings, passed)
    assert result["speedup"] == 5.0 and result["speedup_over_all_components"] == 10.0
    assert result["nlp_pipe_all_components_seconds"] == [2.0]


def test_measure_times_the_all_components_baseline_after_each_pair() -> None:
    calls: list[str] = []
    timings, _ = tagger_speed.measure(
        lambda: calls.append("nlp") or [],
        lambda: calls.append("tagger") or [],
        2,
        lambda: calls.append("all") or [],
    )
    assert calls == ["nlp", "tagger", "all", "tagger", "nlp", "all"]
    assert len(timings.nlp_pipe_all_components) == 2


# load benchmarks: tiny smoke runs (the full sizes run in `make bench` only) ----------------


@pytest.mark.slow
def test_ingest_load_smoke(tagger: object) -> None:
    """300 items over loopback HTTP through one real cycle, and the tagger alone."""
    result = ingest_load.run(Options(items=15, seed=3), tagger=tagger)  # type: ignore[arg-type]
    assert result["items"] == 300 and result["feeds"] == 1 and result["feeds_failed"] == 0
    assert result["new_articles"] >= 295 and result["articles_indexed"] == result["new_articles"]
    assert result["events_indexed"] == result["new_events"] > 0
    rates = result["ingest_items_per_s"], result["tagger_items_per_s"]
    assert result["ingest_vs_tagger"] == round(rates[0] / rates[1], 3)


def test_ingest_load_feeds_hold_distinct_items(tmp_path) -> None:  # type: ignore[no-untyped-def]
    items = ingest_load.feed_items(2_500, seed=5)
    assert len({item.pair for item in items}) >= 2_490
    names = ingest_load.write_feeds(tmp_path, items)
    assert len(names) == 3 and "<link>https://bench.example.com/2/2499</link>" in (
        tmp_path / names[-1]
    ).read_text(encoding="utf-8")


def test_search_load_smoke(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """1,000 events built, every query timed, then the build found in its cache."""
    result = search_load.run(Options(items=5, seed=3), root=tmp_path / "store")
    assert result["events"] == result["indexed_events"] == 1_000 and not result["build_cached"]
    assert set(result["per_query"]) == set(search_load.queries())
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert result["per_query"]["landing_page"]["matches"] == 1_000
    again = search_load.build(tmp_path / "store", 1_000, 3)
    assert again["build_cached"] and again["indexed_events"] == 1_000


def test_api_load_smoke(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """uvicorn in a process of its own over a 1,000-event store; 40 searches, 8 at a time."""
    result = api_load.run(Options(items=5, seed=3), root=tmp_path / "store", requests=40)
    for run in (result["concurrent"], result["one_client"]):
        assert run["statuses"] == {"200": run["requests"]} and run["requests_per_s"] > 0
    assert result["concurrent"]["clients"] == api_load.CLIENTS


def test_load_benchmarks_are_registered() -> None:
    assert {ingest_load.NAME, search_load.NAME, api_load.NAME} <= set(BENCHMARKS)
    assert push_latency.NAME in BENCHMARKS


# push latency --------------------------------------------------------------------------


def test_push_latency_reads_the_ingest_dags_real_schedule() -> None:
    assert push_latency.ingest_schedule() == "@hourly"


@pytest.mark.parametrize(
    ("at", "expected"),
    [("10:00:00", "11:00:00"), ("10:00:01", "11:00:00"), ("10:59:59", "11:00:00")],
)
def test_the_next_poll_is_the_next_hour_start(at: str, expected: str) -> None:
    day = "2026-01-05T"
    when = datetime.fromisoformat(day + at + "+00:00")
    assert push_latency.next_run(when, "@hourly") == datetime.fromisoformat(
        day + expected + "+00:00"
    )


def test_polling_latency_is_the_wait_plus_the_cycle() -> None:
    at = datetime(2026, 1, 5, 10, 45, tzinfo=UTC)
    assert push_latency.polling([at], 2.5, "@hourly") == [15 * 60 + 2.5]
    moments = push_latency.publish_moments(seed=1, schedule="@hourly")
    waits = push_latency.polling(moments, 0.0, "@hourly")
    assert len(waits) == push_latency.POLL_DRAWS and moments == sorted(moments)
    assert 1500 < push_latency.summary(waits)["p50_s"] < 2100  # half an hour, on average


def test_push_latency_report_has_the_ratio_and_the_target() -> None:
    pushed = {"indexed": [1.0, 2.0, 3.0], "alerted": [1.5, 2.5, None]}
    moments = [datetime(2026, 1, 5, 10, 30, tzinfo=UTC)]
    result = push_latency.report(
        pushed, {"to_indexed": 2.0, "to_alert": 3.0}, "@hourly", moments, 1
    )
    assert result["push"]["to_alert"]["missed"] == 1 and result["target_met"] is False
    assert result["poll"]["to_alert"]["p95_s"] == 1803.0
    assert result["poll_over_push_p95"]["to_indexed"] == round(1802.0 / 3.0, 1)
    assert "next run of the ingest DAG's real schedule" in result["note"]


@pytest.mark.slow
def test_push_latency_smoke(tagger: object, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Three publications pushed through a hub on loopback to the real app, and one poll."""
    result = push_latency.run(Options(items=5, seed=3), folder=tmp_path, count=3, tagger=tagger)
    push = result["push"]
    assert push["to_alert"]["missed"] == 0 and push["to_indexed"]["missed"] == 0
    assert result["target_met"] is True
    assert result["poll_over_push_p95"]["to_alert"] > 1
