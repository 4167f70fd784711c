"""The type classifier: how its scores change pattern events, and its training round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.classifier import POLICY_FILE, Policy, TypeClassifier, available, combine
from extractors.types import TaggedEvent

BAN = "export_control.ban"
LAW = "legislation.law"
SUBSIDY = "industrial_policy.subsidy"


def event(code: str, confidence: float = 0.8) -> TaggedEvent:
    return TaggedEvent(type=code, status="enacted", confidence=confidence, evidence=f"{code}.")


def test_without_scores_the_pattern_events_stand() -> None:
    events = [event(BAN)]
    assert combine(events, [event(LAW)], None, Policy(rescue_at=0.0)) == events


def test_an_event_the_classifier_rules_out_is_dropped() -> None:
    policy = Policy(drop_below=0.05)
    kept = combine([event(BAN), event(LAW)], [], {BAN: 0.01, LAW: 0.4}, policy)
    assert [e.type for e in kept] == [LAW]


def test_a_type_the_classifier_does_not_know_is_kept() -> None:
    kept = combine([event(BAN)], [], {}, Policy(drop_below=0.5))
    assert [e.type for e in kept] == [BAN]


def test_confidence_blends_pattern_and_classifier() -> None:
    (kept,) = combine([event(BAN, 0.8)], [], {BAN: 0.4}, Policy(blend=0.5))
    assert kept.confidence == pytest.approx(0.6)
    assert kept.evidence == f"{BAN}."


def test_a_set_aside_candidate_is_kept_only_when_the_classifier_vouches() -> None:
    policy = Policy(rescue_at=0.3)
    kept = combine([], [event(BAN), event(LAW)], {BAN: 0.5, LAW: 0.2}, policy)
    assert [e.type for e in kept] == [BAN]
    assert kept[0].confidence == pytest.approx(0.4)  # score times the candidate's confidence


def test_a_candidate_the_classifier_ranks_below_another_type_is_not_kept() -> None:
    policy = Policy(rescue_at=0.1)
    assert combine([], [event(BAN)], {BAN: 0.3, SUBSIDY: 0.4}, policy) == []


def test_a_candidate_never_doubles_a_pattern_event() -> None:
    kept = combine([event(BAN)], [event(BAN)], {BAN: 0.9}, Policy(rescue_at=0.1))
    assert [e.type for e in kept] == [BAN]


def test_a_candidate_of_a_dropped_type_does_not_bring_it_back() -> None:
    policy = Policy(drop_below=0.05, rescue_at=0.01)
    assert combine([event(BAN)], [event(BAN)], {BAN: 0.02}, policy) == []


def test_guesses_need_their_own_threshold_and_come_last() -> None:
    policy = Policy(rescue_at=0.3, guess_at=0.6)
    guesses = [event(SUBSIDY, 0.7), event(LAW, 0.5), event(BAN, 0.9)]
    scores = {SUBSIDY: 0.7, LAW: 0.5, BAN: 0.9}
    kept = combine([], [event(BAN)], scores, policy, guesses)
    assert [e.type for e in kept] == [BAN, SUBSIDY]  # BAN scores best: rescued, not guessed
    assert kept[1].confidence < 0.7  # a guess is worth less than its score


def test_policy_round_trips_and_ignores_extra_fields(tmp_path: Path) -> None:
    policy = Policy(drop_below=0.02, rescue_at=0.2, guess_at=0.7, guess_floor=0.7, blend=0.4)
    policy.write(tmp_path / POLICY_FILE, trained_on=["x.jsonl"], items=3)
    assert Policy.read(tmp_path / POLICY_FILE) == policy
    assert json.loads((tmp_path / POLICY_FILE).read_text())["items"] == 3


@pytest.mark.slow
def test_training_on_a_small_file_gives_a_loadable_model(tmp_path: Path) -> None:
    from extractors import train

    items = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert len(items) >= 12
    code = train.main([str(FIXTURE), "--out", str(tmp_path / "model"), "--folds", "3"])
    assert code == 0 and available(tmp_path / "model")
    policy = json.loads((tmp_path / "model" / POLICY_FILE).read_text())
    assert policy["items"] == len(items) and policy["cross_validated"]["folds"] == 3
    classifier = TypeClassifier.load(tmp_path / "model")
    (scores,) = classifier.score_words([["japan", "ban", "export", "of", "gallium"]])
    assert set(scores) == set(classifier.labels) and all(0 <= v <= 1 for v in scores.values())


FIXTURE = Path(__file__).parent / "fixtures" / "classifier_training.jsonl"


def test_the_shipped_model_knows_every_taxonomy_code() -> None:
    from extractors.taxonomy import event_types_by_code

    assert available(), "extractors/data/classifier/ is missing: run python -m extractors.train"
    classifier = TypeClassifier.load()
    assert sorted(classifier.labels) == sorted(event_types_by_code()), (
        "the classifier's labels differ from the taxonomy: retrain it (docs/taxonomy.md)"
    )
    assert classifier.policy != Policy(), "policy.json should hold the trained thresholds"


@pytest.mark.slow
def test_the_tagger_runs_the_classifier_only_past_the_gate(
    tagger,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from extractors.classifier import CLASSIFIER

    component = tagger.nlp.get_pipe(CLASSIFIER)
    scored: list[str] = []
    original = component.classifier.score

    def counting(docs):  # type: ignore[no-untyped-def]
        scored.extend(doc.text for doc in docs)
        return original(docs)

    monkeypatch.setattr(component.classifier, "score", counting)
    items = [("Japan bans gallium exports", "The ministry said so."), ("Cup final", "Fans.")]
    passed, gated = tagger.tag_many(items)
    assert passed.in_scope and not gated.in_scope
    assert len(scored) == 1 and scored[0].startswith("Japan bans gallium")


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
