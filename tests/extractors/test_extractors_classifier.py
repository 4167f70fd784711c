"""The type classifier: how its policy judges pattern events, candidates and guesses, its text
models, and its training round trip."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from extractors.classifier import (
    FEATURES,
    POLICY_FILE,
    Policy,
    TypeClassifier,
    TypeScore,
    available,
    combine,
)
from extractors.textmodel import Split, TextModel, Vocabulary, sentence_spans
from extractors.types import TaggedEvent

BAN = "export_control.ban"
LAW = "legislation.law"
SUBSIDY = "industrial_policy.subsidy"
HIGH, LOW = TypeScore(0.9, 0.9), TypeScore(0.05, 0.05)


def event(code: str, confidence: float = 0.8) -> TaggedEvent:
    return TaggedEvent(type=code, status="enacted", confidence=confidence, evidence=f"{code}.")


def policy(threshold: float = 0.5) -> Policy:
    """Trusts the text models alone: probability = sigmoid(embed logit + words logit)."""
    weights = [1.0 if name in ("embed", "words") else 0.0 for name in FEATURES]
    return Policy(weights=tuple(weights), bias=0.0, threshold=threshold)


def test_without_scores_the_pattern_events_stand() -> None:
    events = [event(BAN)]
    assert combine(events, [event(LAW)], None, policy()) == events


def test_an_untrained_policy_leaves_the_pattern_events_alone() -> None:
    events = [event(BAN)]
    assert not Policy().trained
    assert combine(events, [event(LAW)], {BAN: LOW, LAW: HIGH}, Policy()) == events


def test_a_pattern_event_the_text_models_rule_out_is_dropped() -> None:
    kept = combine([event(BAN), event(LAW)], [], {BAN: LOW, LAW: HIGH}, policy())
    assert [e.type for e in kept] == [LAW]


def test_a_bare_headline_keeps_its_pattern_events_and_judges_the_rest() -> None:
    scores = {BAN: LOW, LAW: LOW, SUBSIDY: HIGH}
    kept = combine([event(BAN, 0.7)], [event(LAW)], scores, policy(), [event(SUBSIDY)], True)
    assert [e.type for e in kept] == [BAN, SUBSIDY]
    assert kept[0].confidence == pytest.approx(0.7)  # the pattern's, above the low probability


def test_confidence_is_the_policy_probability() -> None:
    (kept,) = combine([event(BAN, 0.8)], [], {BAN: TypeScore(0.5, 0.8)}, policy())
    assert kept.confidence == pytest.approx(0.8, abs=1e-3)  # sigmoid(0 + logit(0.8))
    assert kept.evidence == f"{BAN}."


def test_a_type_the_model_does_not_know_keeps_its_pattern_event() -> None:
    kept = combine([event(BAN)], [event(LAW)], {}, policy())
    assert [e.type for e in kept] == [BAN]


def test_a_candidate_is_told_when_no_pattern_event_is_and_a_guess_last() -> None:
    scores = {BAN: HIGH, LAW: HIGH, SUBSIDY: HIGH}
    kept = combine([], [event(BAN, 0.3)], scores, policy(), [event(BAN, 0.2), event(SUBSIDY)])
    assert [e.type for e in kept] == [BAN, SUBSIDY]  # LAW has no evidence: nothing to tell
    assert kept[0].evidence == f"{BAN}." and kept[0].confidence > 0.9


def test_a_higher_threshold_keeps_less() -> None:
    scores = {BAN: TypeScore(0.7, 0.7)}
    assert combine([event(BAN)], [], scores, policy(0.9)) == []
    assert len(combine([event(BAN)], [], scores, policy(0.5))) == 1


def test_policy_round_trips_and_keeps_extra_fields(tmp_path: Path) -> None:
    chosen = Policy(weights=tuple(range(len(FEATURES))), bias=-1.5, threshold=0.6)
    chosen.write(tmp_path / POLICY_FILE, trained_on={"items": 3})
    read = Policy.read(tmp_path / POLICY_FILE)
    assert read == chosen and read.extra["trained_on"] == {"items": 3}


def test_a_policy_for_other_features_reads_as_untrained(tmp_path: Path) -> None:
    path = tmp_path / POLICY_FILE
    path.write_text(json.dumps({"features": ["old"], "weights": [1.0], "bias": 0, "threshold": 1}))
    assert not Policy.read(path).trained


def test_word_rows_are_unit_length_and_skip_unknown_words() -> None:
    vocabulary = Vocabulary.fit(["export ban on gallium", "export curbs", "gallium ban"])
    cols, values = vocabulary.row("Gallium export BAN, gallium!")
    assert {vocabulary.index["gallium"], vocabulary.index["ban"]} <= set(cols)
    assert np.linalg.norm(values) == pytest.approx(1.0)
    assert vocabulary.row("football final")[0].size == 0
    assert vocabulary.matrix(["gallium", "nothing known"]).shape == (2, len(vocabulary.index))


def test_sentence_spans_cut_the_flat_sentences_back_per_item() -> None:
    items = [Split(("a", "b")), Split(("c",)), Split(())]
    assert sentence_spans(items) == [(0, 2), (2, 3), (3, 3)]
    assert sentence_spans([]) == []


def test_word_scores_are_each_rows_own_product() -> None:
    vocabulary = Vocabulary.fit(["export ban", "ban on chips", "chips act"], min_df=1)
    rng = np.random.default_rng(1)
    coef = rng.normal(size=(2, len(vocabulary.index))).astype(np.float32)
    model = TextModel(
        labels=[BAN, LAW],
        vocabulary=vocabulary,
        word_coef=coef,
        word_bias=np.array([0.5, -0.5], np.float32),
        embed_coef=np.zeros((2, 4), np.float32),
        embed_bias=np.zeros(2, np.float32),
    )
    texts = ["export ban", "nothing known", "chips act ban on chips", "football"]
    _, words = model.score(np.zeros((len(texts), 4), np.float32), texts)
    for text, row in zip(texts, words, strict=True):
        cols, values = vocabulary.row(text)
        expected = 1 / (1 + np.exp(-(coef[:, cols] @ values + model.word_bias)))
        np.testing.assert_allclose(row, expected, rtol=1e-5)


def test_text_model_round_trips(tmp_path: Path) -> None:
    vocabulary = Vocabulary.fit(["export ban", "ban on chips"], min_df=1)
    rng = np.random.default_rng(0)
    model = TextModel(
        labels=[BAN, LAW],
        vocabulary=vocabulary,
        word_coef=rng.normal(size=(2, len(vocabulary.index))).astype(np.float32),
        word_bias=np.zeros(2, np.float32),
        embed_coef=rng.normal(size=(2, 8)).astype(np.float32),
        embed_bias=np.ones(2, np.float32),
    )
    model.save(tmp_path)
    loaded = TextModel.load(tmp_path)
    assert loaded.labels == [BAN, LAW] and loaded.vocabulary.index == vocabulary.index
    np.testing.assert_allclose(loaded.word_coef, model.word_coef)


def model_with_neighbours(neighbours: np.ndarray, carried: np.ndarray) -> TextModel:
    labels = [f"type.{j}" for j in range(carried.shape[1])]
    return TextModel(
        labels=labels,
        vocabulary=Vocabulary.fit(["export ban"], min_df=1),
        word_coef=np.zeros((len(labels), 2), np.float32),
        word_bias=np.zeros(len(labels), np.float32),
        embed_coef=np.zeros((len(labels), neighbours.shape[1]), np.float32),
        embed_bias=np.zeros(len(labels), np.float32),
        neighbours=neighbours / np.linalg.norm(neighbours, axis=1, keepdims=True),
        neighbour_labels=carried,
    )


def brute_force_nearest(model: TextModel, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    assert model.neighbours is not None and model.neighbour_labels is not None
    sims = queries / np.linalg.norm(queries, axis=1, keepdims=True) @ model.neighbours.T
    carried = model.neighbour_labels
    shape = (len(queries), carried.shape[1])
    with_label, without = np.zeros(shape), np.zeros(shape)
    for j in range(carried.shape[1]):
        if carried[:, j].any():
            with_label[:, j] = sims[:, carried[:, j]].max(axis=1)
        if (~carried[:, j]).any():
            without[:, j] = sims[:, ~carried[:, j]].max(axis=1)
        if not carried[:, j].any():  # a label no item carries: no margin
            with_label[:, j] = without[:, j]
        if carried[:, j].all():  # a label every item carries: no margin either
            without[:, j] = with_label[:, j]
    return with_label, without


def test_nearest_finds_the_closest_item_with_and_without_each_label() -> None:
    rng = np.random.default_rng(3)
    neighbours = rng.normal(size=(200, 16)).astype(np.float32)
    carried = rng.random((200, 5)) < np.array([0.02, 0.2, 0.5, 0.95, 1.0])  # down to "all"
    carried[:, 0] = False  # a label no training item carries
    model = model_with_neighbours(neighbours, carried)
    queries = np.vstack([rng.normal(size=(30, 16)), neighbours[:3]]).astype(np.float32)
    got_with, got_without = model.nearest(queries)
    want_with, want_without = brute_force_nearest(model, queries)
    np.testing.assert_allclose(got_with, want_with, atol=1e-5)
    np.testing.assert_allclose(got_without, want_without, atol=1e-5)
    margins = got_with - got_without
    assert not margins[:, 0].any() and not margins[:, 4].any()


def test_nearest_searches_past_a_crowd_of_items_that_all_carry_the_label() -> None:
    """The item's nearest dozens all carry the label: the one without it lies further off."""
    rng = np.random.default_rng(4)
    centre = rng.normal(size=16).astype(np.float32)
    crowd = centre + 0.01 * rng.normal(size=(60, 16)).astype(np.float32)
    far = rng.normal(size=(5, 16)).astype(np.float32)
    carried = np.array([[True]] * 60 + [[False]] * 5)
    model = model_with_neighbours(np.vstack([crowd, far]), carried)
    got_with, got_without = model.nearest(centre[None, :])
    want_with, want_without = brute_force_nearest(model, centre[None, :])
    assert got_with[0, 0] > 0.99
    np.testing.assert_allclose(got_without, want_without, atol=1e-5)


def test_a_model_without_neighbours_scores_no_nearness() -> None:
    model = model_with_neighbours(np.ones((2, 4), np.float32), np.ones((2, 3), bool))
    bare = replace(model, neighbours=None, neighbour_labels=None)
    got_with, got_without = bare.nearest(np.ones((2, 4), np.float32))
    assert got_with.shape == (2, 3) and not got_with.any() and not got_without.any()


def test_a_model_with_no_training_items_scores_no_nearness() -> None:
    model = model_with_neighbours(np.ones((1, 4), np.float32), np.ones((1, 3), bool))
    empty = replace(
        model, neighbours=np.zeros((0, 4), np.float32), neighbour_labels=np.zeros((0, 3), bool)
    )
    got_with, got_without = empty.nearest(np.ones((2, 4), np.float32))
    assert got_with.shape == (2, 3) and not got_with.any() and not got_without.any()


def test_a_policy_over_weights_without_training_items_reads_as_untrained(
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = model_with_neighbours(np.ones((2, 4), np.float32), np.ones((2, 3), bool))
    bare = replace(model, neighbours=None, neighbour_labels=None)
    encoder = object()  # never read: nothing is scored here
    assert TypeClassifier(model, encoder, policy()).policy.trained  # type: ignore[arg-type]
    with caplog.at_level("WARNING"):
        judged = TypeClassifier(bare, encoder, policy())  # type: ignore[arg-type]
    assert not judged.policy.trained and "retrain" in caplog.text


def test_neighbours_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    carried = rng.random((40, 11)) < 0.3  # not a multiple of 8 labels: packed bits unpack exactly
    model = model_with_neighbours(rng.normal(size=(40, 8)).astype(np.float32), carried)
    model.save(tmp_path)
    loaded = TextModel.load(tmp_path)
    assert loaded.neighbour_labels is not None and loaded.neighbours is not None
    np.testing.assert_array_equal(loaded.neighbour_labels, carried)
    np.testing.assert_allclose(loaded.neighbours, model.neighbours, atol=1e-3)


def test_an_item_nearer_a_labelled_one_than_any_other_gets_a_higher_probability() -> None:
    weights = [2.0 if name == "nearest_margin" else 0.0 for name in FEATURES]
    near_policy = Policy(weights=tuple(weights), bias=0.0, threshold=0.5)
    near, far = TypeScore(0.5, 0.5, 0.9, 0.4), TypeScore(0.5, 0.5, 0.4, 0.9)
    assert near_policy.probability(None, None, event(BAN), near) > 0.5
    assert near_policy.probability(None, None, event(BAN), far) < 0.5


FIXTURE = Path(__file__).parent / "fixtures" / "classifier_training.jsonl"


@pytest.mark.slow
def test_training_on_a_small_corpus_gives_a_loadable_model(tmp_path: Path) -> None:
    from extractors.learning import train

    out, errors = tmp_path / "model", tmp_path / "errors.jsonl"
    code = train.main(
        ["--corpus", str(FIXTURE), "--own", "--out", str(out), "--folds", "2"]
        + ["--errors", str(errors)]
    )
    assert code == 0 and available(out)
    for record in map(json.loads, errors.read_text().splitlines()):
        gold, predicted = set(record["gold"]), set(record["predicted"])
        assert gold != predicted and set(record["missed"]) == gold - predicted
        assert set(record["wrong"]) == predicted - gold and record["title"]
    written = json.loads((out / POLICY_FILE).read_text())
    assert written["cross_validated"]["folds"] == 2 and written["features"] == list(FEATURES)
    classifier = TypeClassifier.load(out)
    (scores,) = classifier.score_texts(["Japan bans gallium exports"])
    assert set(scores) == set(classifier.labels)
    assert all(0 <= s.embed <= 1 and 0 <= s.words <= 1 for s in scores.values())


def test_the_shipped_model_knows_every_taxonomy_code() -> None:
    from extractors.taxonomy import event_types_by_code

    assert available(), (
        "extractors/data/classifier/ is missing: run python -m extractors.learning.train"
    )
    classifier = TypeClassifier.load()
    assert sorted(classifier.labels) == sorted(event_types_by_code()), (
        "the classifier's labels differ from the taxonomy: retrain it (docs/taxonomy.md)"
    )
    assert classifier.policy.trained, "policy.json should hold the trained policy"


@pytest.mark.slow
def test_the_tagger_runs_the_classifier_only_past_the_gate(
    tagger,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from extractors.classifier import CLASSIFIER

    component = tagger.nlp.get_pipe(CLASSIFIER)
    scored: list[str] = []
    original = component.classifier.score_wholes

    def counting(items):  # type: ignore[no-untyped-def]
        scored.extend(item.full for item in items)
        return original(items)

    monkeypatch.setattr(component.classifier, "score_wholes", counting)
    items = [("Japan bans gallium exports", "The ministry said so."), ("Cup final", "Fans.")]
    passed, gated = tagger.tag_many(items)
    assert passed.in_scope and not gated.in_scope
    assert len(scored) == 1 and scored[0].startswith("Japan bans gallium")


@pytest.mark.slow
def test_the_relevance_floor_turns_items_away_before_the_parse(
    tagger,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from extractors.classifier import CLASSIFIER

    classifier = tagger.nlp.get_pipe(CLASSIFIER).classifier
    assert 0 < classifier.policy.relevance_floor < classifier.policy.guess_floor
    parsed: list[list[str]] = []  # the sentences of parsed items, as the classifier reads them
    original = classifier.score_sentences

    def counting(items):  # type: ignore[no-untyped-def]
        parsed.extend(items)
        return original(items)

    monkeypatch.setattr(classifier, "score_sentences", counting)
    item = ("Japan bans gallium exports to China", "The trade ministry said so.")
    monkeypatch.setattr(classifier, "policy", replace(classifier.policy, relevance_floor=1.01))
    (turned_away,) = tagger.tag_many([item])
    assert not turned_away.in_scope and not turned_away.events and not parsed
    (parsed_anyway,) = tagger.tag_many([item], gated=False)
    assert parsed_anyway.in_scope and len(parsed) == 1
    assert [e.type for e in parsed_anyway.events] == ["export_control.ban"]


def test_the_relevance_floor_is_read_back_from_the_policy_file(tmp_path: Path) -> None:
    policy = Policy(weights=(0.0,) * len(FEATURES), threshold=0.5, relevance_floor=0.07)
    policy.write(tmp_path / "policy.json")
    assert Policy.read(tmp_path / "policy.json").relevance_floor == 0.07
    assert Policy().relevance_floor == 0.0  # untrained: no item is turned away


@pytest.mark.slow
def test_a_tagger_without_the_classifier_keeps_its_pattern_events() -> None:
    from extractors.classifier import CLASSIFIER
    from extractors.pipeline import EventTagger

    plain = EventTagger(classifier=False)
    assert CLASSIFIER not in plain.nlp.pipe_names
    result = plain.tag("Japan bans gallium exports to China", "The trade ministry said so.")
    assert [e.type for e in result.events] == ["export_control.ban"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "code", "allowed"),
    [
        # an agreement needs two parties and the beat's context
        ("Japan signed the agreement in Tokyo on Tuesday.", "partnership.agreement", False),
        # a subsidy needs the beat's context, not a stadium
        (
            "Japan announced a grant for the town's football stadium.",
            "industrial_policy.subsidy",
            False,
        ),
        # a denied measure gives nothing
        ("Japan ruled out export curbs on chip tools.", "export_control.restriction", False),
        ("Japan will restrict exports of chip tools to China.", "export_control.restriction", True),
    ],
)
def test_a_guess_meets_what_the_type_asks_of_a_pattern_mention(
    tagger,  # type: ignore[no-untyped-def]
    text: str,
    code: str,
    allowed: bool,
) -> None:
    from extractors.actors import SPANS_KEY, home_country
    from extractors.events import sentence_traits

    doc = tagger.nlp(text)
    events = tagger.nlp.get_pipe("econsec_events")
    actors = list(doc.spans[SPANS_KEY])
    sent = next(iter(doc.sents))
    traits = sentence_traits(sent, actors, events.cues)
    techs = doc._.technologies or []
    guess = events.guess(sent, code, 0.9, actors, home_country(actors), techs, traits)
    assert (guess is not None) is allowed
    if guess is not None:
        assert guess.initiator == ["JP"] and guess.evidence == text


def prepared_item(gold: set[str], headline_only: bool = False, **facts: frozenset[str]) -> Any:
    from extractors.conventions import ItemFacts
    from extractors.learning.train import Prepared

    return Prepared(
        item_id="i",
        fold_key="i",
        gold=gold,
        whole=Split(()),
        sentences=[],
        in_scope=True,
        events=[],
        candidates=[],
        allowed=[],
        named=set(),
        facts=ItemFacts(modalities=facts),
        headline_only=headline_only,
    )


def policy_rows(told: list[TaggedEvent], from_pattern: list[bool]) -> Any:
    from extractors.learning.train import Pairs

    return Pairs(
        x=np.zeros((len(told), len(FEATURES))),
        y=np.zeros(len(told), bool),
        item=np.zeros(len(told), int),
        code=[e.type for e in told],
        told=told,
        from_pattern=np.array(from_pattern, bool),
    )


def test_cross_validation_counts_the_types_the_conventions_leave() -> None:
    from extractors.learning.train import predicted_types

    told = [event("trade_dispute.wto"), event("trade_dispute.lawsuit")]
    item = prepared_item({"trade_dispute.wto"})
    rows = policy_rows(told, [True, False])
    assert predicted_types([item], rows, np.array([0.9, 0.9]), 0.5) == [{"trade_dispute.wto"}]
    # the lawsuit alone stands when the WTO case is under the threshold
    assert predicted_types([item], rows, np.array([0.4, 0.9]), 0.5) == [{"trade_dispute.lawsuit"}]


def test_cross_validation_keeps_a_bare_headlines_pattern_events() -> None:
    from extractors.learning.train import predicted_types

    rows = policy_rows([event(BAN), event("sanctions.imposed")], [True, False])
    bare = prepared_item({BAN}, headline_only=True)
    assert predicted_types([bare], rows, np.array([0.1, 0.1]), 0.5) == [{BAN}]
    assert predicted_types(
        [replace(bare, headline_only=False)], rows, np.array([0.1, 0.1]), 0.5
    ) == [set()]


def test_cross_validation_drops_a_measure_the_item_only_denies() -> None:
    from extractors.learning.train import predicted_types

    denied = prepared_item(set(), **{BAN: frozenset({"negated"})})
    rows = policy_rows([event(BAN)], [True])
    assert predicted_types([denied], rows, np.array([0.9]), 0.5) == [set()]


def test_the_event_component_keeps_what_the_conventions_read_for_training() -> None:
    from extractors.pipeline import build_pipeline

    nlp = build_pipeline(classifier=False)
    nlp.get_pipe("econsec_events").keep_item_facts = True
    doc = nlp("Japan has no plans to ban gallium exports, the trade minister said.")
    assert doc._.item_facts.modalities.get(BAN) == frozenset({"negated"})
    assert not doc._.events


def test_one_misread_item_in_500_does_not_set_the_relevance_floor() -> None:
    from types import SimpleNamespace

    from extractors.learning.train import relevance_floor

    # two outliers among 999 items with a right event: one in 500, rounded down, is left out
    tops = [0.01, 0.1] + [0.4 + k / 10_000 for k in range(997)]
    items = [prepared_item({BAN}) for _ in tops]
    scores: Any = [SimpleNamespace(item=SimpleNamespace(top=t)) for t in tops]
    floor, turned_away = relevance_floor(items, scores, [{BAN} for _ in tops])
    assert floor == 0.05  # half the second lowest
    assert turned_away["items_with_a_right_event"] == 1
    # from 1,000 items on, two are left out
    more = [*tops, 0.5]
    items.append(prepared_item({BAN}))
    scores.append(SimpleNamespace(item=SimpleNamespace(top=0.5)))
    assert relevance_floor(items, scores, [{BAN} for _ in more])[0] == 0.2
    # with no right event anywhere there is nothing to keep: no floor
    assert relevance_floor(items, scores, [set() for _ in more])[0] == 0.0


def test_cross_validation_hands_the_held_back_events_to_the_conventions() -> None:
    from extractors.learning.train import predicted_types

    agreement, project = event("partnership.agreement"), event("partnership.joint_project")
    item = replace(
        prepared_item(
            {"partnership.agreement", "partnership.joint_project"},
            **{"partnership.joint_project": frozenset({"asserted"})},
        ),
        events=[agreement, project],
    )
    rows = policy_rows([agreement, project], [True, True])
    # the policy keeps the agreement only; the project it held back comes with the agreement
    reported = predicted_types([item], rows, np.array([0.9, 0.3]), 0.5)
    assert reported == [{"partnership.agreement", "partnership.joint_project"}]
    # a project the patterns never found is not invented
    bare = replace(item, events=[agreement])
    rows = policy_rows([agreement], [True])
    assert predicted_types([bare], rows, np.array([0.9]), 0.5) == [{"partnership.agreement"}]
