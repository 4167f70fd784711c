"""Actor normalisation: countries, metonyms, agencies, firms."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

import extractors.actors  # noqa: F401
from extractors.actors import SPANS_KEY
from extractors.gazetteer import clean_name, normalise_actor


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Japan", "JP"),
        ("Tokyo", "JP"),
        ("Chinese", "CN"),
        ("Beijing", "CN"),
        ("Washington", "US"),
        ("the United States", "US"),
        ("Brussels", "EU"),
        ("the Commission", "EU"),
        ("European Commission", "EU"),
        ("METI", "JP"),
        ("Commerce Department", "US"),
        ("MOFCOM", "CN"),
        ("Montana", "US"),
        ("South Korea", "KR"),
        ("Britain", "GB"),
        ("Kremlin", "RU"),
        ("Germany", "DE"),
        ("Viet Nam", "VN"),
        ("Huawei", "Huawei"),
        ("Taiwan Semiconductor Manufacturing", "TSMC"),
        ("World Trade Organization", "WTO"),
        ("Quad", "Quad"),
        ("Zorblandia", None),
    ],
)
def test_normalise_actor(text: str, code: str | None) -> None:
    assert normalise_actor(text) == code


def test_clean_name() -> None:
    assert clean_name("the Huawei Technologies Co.") == "Huawei Technologies"
    assert clean_name("Nexperia's") == "Nexperia"


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("econsec_actors")
    return nlp


def spans(nlp: Language, text: str) -> list[tuple[str, str, str]]:
    doc = nlp(text)
    return [(s.text, s.label_, s.kb_id_) for s in doc.spans[SPANS_KEY]]


def test_pronoun_us_is_not_the_united_states(nlp: Language) -> None:
    assert spans(nlp, "They told us the US would act") == [("US", "STATE", "US")]


def test_generic_body_takes_the_possessor_country(nlp: Language) -> None:
    found = spans(nlp, "Japan said China's commerce ministry acted")
    assert ("commerce ministry", "STATE", "CN") in found


def test_generic_body_defaults_to_home_country(nlp: Language) -> None:
    found = spans(nlp, "Seoul responds. The trade ministry said it would act")
    assert ("trade ministry", "STATE", "KR") in found


def test_demonym_before_company_noun_is_an_organisation(nlp: Language) -> None:
    found = spans(nlp, "Chinese suppliers were excluded")
    assert found == [("Chinese", "ORG", "CN")]


# --- Actors on news as published: junk names, titles, datelines ---------------------


def tagged_roles(tagger, title: str, summary: str) -> dict[str, tuple[list[str], list[str]]]:  # type: ignore[no-untyped-def]
    """type -> (initiator, target) for one item."""
    return {e.type: (e.initiator, e.target) for e in tagger.tag(title, summary).events}


def actor_texts(tagger, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    doc = tagger.nlp(text)
    return [s.text for s in doc.spans[SPANS_KEY]]


@pytest.mark.parametrize(
    ("text", "junk"),
    [
        ("Regulators fined the Acme Corp on Sept. 4 for breaking export rules.", "Sept."),
        ("The ministry restricted exports of gallium. Trade Desk Brief", "Trade Desk Brief"),
        ("WASHINGTON (Reuters) - The Commerce Department added ten firms to a list.", "WASHINGTON"),
        ("WASHINGTON (Reuters) - The Commerce Department added ten firms to a list.", "Reuters"),
        ("Industry Minister Kenji Aoyama said Japan would fund the fab.", "Kenji Aoyama"),
        ("The plant will be built in Kobe Prefecture by Zentrix Devices.", "Kobe Prefecture"),
        ("The Minister of Innovation, Science and Industry ordered the sale undone.", "Science"),
        ("A Magistrate Judge Ann Lowe ruled on the ban on Monday.", "Ann Lowe"),
        ("Zentrix Devices will build its third fab in Phoenix with the grant.", "Phoenix"),
        ("A fire halted output at the Zentrix plant in Dalian on Monday.", "Dalian"),
        ("Ruritania said the rules broke the TRIPS Agreement, and filed a case.", "TRIPS"),
        ("Japan, US Universities Launch Quantum Research Partnership", "Universities"),
        ("Ruritania will fund an Open RAN rollout in its capital.", "Open RAN"),
        ("OSLO (Nordic Wire Daily) — Ruritania banned the export of drones.", "Nordic Wire"),
        ("The FCC listed Zentrix Devices (OTCPK:ZNTXF) as a threat.", "OTCPK"),
        ("The FCC listed Zentrix Devices (OTCPK:ZNTXF) as a threat.", "ZNTXF"),
        ("Ruritania added Zentrix Devices ( ZNTX ) to its entity list.", "ZNTX"),
        ("09:30 AM EST, 03/05/2026 -- Ruritania added Zentrix to its entity list.", "AM EST"),
        ("Feb. 9 (Wirenews) -- Ruritania sanctioned seven members of a gang.", "Wirenews"),
    ],
)
def test_junk_is_no_actor(tagger, text: str, junk: str) -> None:  # type: ignore[no-untyped-def]
    assert not [t for t in actor_texts(tagger, text) if junk in t]


def actor_codes(tagger, text: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    doc = tagger.nlp(text)
    return [(s.label_, s.kb_id_) for s in doc.spans[SPANS_KEY]]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Ruritanian Export Control Office (RECO) listed Zentrix Devices.", "RECO"),
        ("The Ruritania Trade-Investment Agency (RUTRA) opened an office in Oslo.", "RUTRA"),
        ("Ruritania added two memory makers (ZNTX and QMC) to the entity list.", "ZNTX"),
        ("Ruritania added two memory makers (ZNTX and QMC) to the entity list.", "QMC"),
        ("The Ruritania Chip Association (RCA) - the makers' lobby - urged action.", "RCA"),
        (
            "The ban covers drone parts (Source: Zentrix Devices), the ministry said.",
            "Zentrix Devices",
        ),
        ("The curbs were announced by the Ruritania Trade Representative ( RTR ).", "RTR"),
    ],
)
def test_names_in_brackets_stay_actors(tagger, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert name in actor_texts(tagger, text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("A firm in the People’s Republic of China was charged.", "CN"),
        ("The Democratic People’s Republic of Korea fired a missile.", "KP"),
    ],
)
def test_a_name_printed_with_a_curly_apostrophe_is_known(  # type: ignore[no-untyped-def]
    tagger, text: str, code: str
) -> None:
    assert [kb for _, kb in actor_codes(tagger, text)] == [code]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Agencies must stop using AO Kaspersky Lab products, DHS said.", "Kaspersky"),
        ("The Pentagon added Huawei Technologies to the list.", "Huawei"),
    ],
)
def test_a_known_firms_longer_name_takes_its_canonical_name(  # type: ignore[no-untyped-def]
    tagger, text: str, code: str
) -> None:
    assert ("ORG", code) in actor_codes(tagger, text)


def test_a_state_inside_a_firms_name_leaves_it_a_firm_of_its_own(  # type: ignore[no-untyped-def]
    tagger,
) -> None:
    codes = actor_codes(tagger, "Japan Industrial Partners buys JSR for $6 billion.")
    assert ("ORG", "Japan Industrial Partners") in codes
    assert ("STATE", "JP") not in codes


@pytest.mark.parametrize("code", ["SC", "ML", "K", "G"])
def test_short_acronyms_are_not_country_codes(code: str) -> None:
    assert normalise_actor(code) is None


def test_unknown_firm_in_the_lead_stays_an_actor(tagger) -> None:  # type: ignore[no-untyped-def]
    found = actor_texts(
        tagger, "Washington blocks deal\nThe US blocked Zentrix Devices from buying a chip firm."
    )
    assert any(t.startswith("Zentrix") for t in found)


@pytest.mark.parametrize(
    ("title", "summary", "etype", "initiator"),
    [
        (
            "Chip equipment exports to be curbed",
            "Japan's economy minister said on Friday the country will restrict exports"
            " of chipmaking tools.",
            "export_control.restriction",
            ["JP"],
        ),
        (
            "Parliament passes security clearance bill",
            "The Lower House passed the bill on Friday, and Japan plans to start"
            " the system next year.",
            "governance.security_clearance",
            ["JP"],
        ),
    ],
)
def test_officials_and_chambers_take_their_country(  # type: ignore[no-untyped-def]
    tagger, title: str, summary: str, etype: str, initiator: list[str]
) -> None:
    assert tagged_roles(tagger, title, summary)[etype][0] == initiator


def test_destination_in_a_headline_subject_is_no_initiator(tagger) -> None:  # type: ignore[no-untyped-def]
    roles = tagged_roles(
        tagger,
        "U.S. tightens curbs on chip exports to China, blacklists Zentrix and Qorvane",
        "The Commerce Department added Chinese GPU designers Zentrix and Qorvane"
        " to its Entity List.",
    )
    initiator, target = roles["export_control.entity_listing"]
    assert initiator == ["US"]
    assert {"Zentrix", "Qorvane"} <= set(target)


def test_person_noun_keeps_the_demonym_a_state(nlp: Language) -> None:
    assert ("Chinese", "STATE", "CN") in spans(nlp, "A Chinese national was jailed")


def test_designers_make_the_demonym_a_firm(nlp: Language) -> None:
    assert spans(nlp, "Chinese designers were listed") == [("Chinese", "ORG", "CN")]


@pytest.mark.parametrize(
    ("title", "summary", "etype", "initiator"),
    [
        # a disruption's initiator is the state whose measure caused it, nobody for disasters
        (
            "Flooding in Vietnam to cause chip shortage",
            "Heavy floods in Vietnam shut dozens of chip packaging plants this week, cutting "
            "semiconductor supply to carmakers.",
            "supply_chain.disruption",
            [],
        ),
        (
            "Fire halts output at Zentrix chip plant",
            "Zentrix Devices had to halt chip production at a Korean plant after a fire on "
            "Sunday, disrupting semiconductor supply.",
            "supply_chain.disruption",
            [],
        ),
        (
            "Chinese export ban on gallium disrupts chip supply",
            "China's export ban on gallium has disrupted chip supply to European carmakers.",
            "supply_chain.disruption",
            ["CN"],
        ),
        # a cyber incident's initiator is the attributed state or group, never the victim
        (
            "Korea's defence agency hit by cyberattacks, officials say",
            "The agency's networks were hit by a series of cyberattacks since May.",
            "cyber.incident",
            [],
        ),
        (
            "Russia-linked hackers breach Polish energy grid operator",
            "Hackers tied to Russia broke into the systems of a Polish grid operator.",
            "cyber.incident",
            ["RU"],
        ),
        # a ruling's initiator is the complainant, named elsewhere or hit by the measure
        (
            "WTO panel rules against Peru over textile duties",
            "The dispute panel found the duties broke trade rules. The case was brought by "
            "Chile in 2022.",
            "trade_dispute.wto",
            ["CL"],
        ),
        (
            "Judge blocks Pentagon blacklisting of chipmaker Zentrix",
            "A federal judge blocked the Defense Department's restrictions against "
            "Chinese chipmaker Zentrix.",
            "trade_dispute.lawsuit",
            ["Zentrix"],
        ),
        (
            "EU approves sanctions on Belarusian officials",
            "EU ambassadors approved sanctions against ten Belarusian officials over the "
            "crackdown, freezing their assets.",
            "sanctions.imposed",
            ["EU"],
        ),
    ],
)
def test_initiator_follows_the_conventions(  # type: ignore[no-untyped-def]
    tagger, title: str, summary: str, etype: str, initiator: list[str]
) -> None:
    assert tagged_roles(tagger, title, summary)[etype][0] == initiator


@pytest.mark.parametrize(
    "summary",
    [
        "The European Commission approved France's state aid of 500 million euros for a new "
        "semiconductor plant near Grenoble.",
        "The European Commission approved 500 million euros of state aid from France for a "
        "new semiconductor plant near Grenoble.",
    ],
)
def test_member_state_grants_the_aid_the_commission_clears(  # type: ignore[no-untyped-def]
    tagger, summary: str
) -> None:
    initiator, _ = tagged_roles(tagger, "Commission clears aid for chip plant", summary)[
        "industrial_policy.subsidy"
    ]
    assert "FR" in initiator


@pytest.mark.parametrize(
    ("title", "summary", "etype"),
    [
        (
            "Japan and Australia sign pact to cut reliance on Chinese rare earths",
            "Japan and Australia signed an agreement to reduce their dependence on rare "
            "earths from China, their trade ministers said.",
            "partnership.agreement",
        ),
        (
            "Parliament passes law restricting Chinese apps on state phones",
            "Lawmakers in Canada passed a law that bars apps owned by Chinese firms from "
            "government devices.",
            "legislation.law",
        ),
        (  # a plant's host country is where it is built, not a party acted against
            "TSMC to build $20 billion chip plant in China",
            "Taiwan Semiconductor Manufacturing Co said it would build a new wafer fab in "
            "China to make 28-nanometre chips.",
            "supply_chain.production_investment",
        ),
        (  # nor is the place a disruption hit
            "Fire at Chinese supplier halts output of chipmaking resin",
            "A fire at a plant in China stopped production of a resin used to make "
            "semiconductors, cutting supply to chipmakers.",
            "supply_chain.disruption",
        ),
    ],
)
def test_types_acting_against_no_one_carry_no_target(  # type: ignore[no-untyped-def]
    tagger, title: str, summary: str, etype: str
) -> None:
    (event,) = [e for e in tagger.tag(title, summary).events if e.type == etype]
    assert event.target == []
    assert "CN" in event.concerns  # still in the countries facet


def test_the_wto_and_its_bodies_are_no_party_to_a_dispute(tagger) -> None:  # type: ignore[no-untyped-def]
    roles = tagged_roles(
        tagger,
        "WTO Appellate Body upholds ruling on Chinese rare earth export quotas",
        "The Appellate Body of the World Trade Organization upheld a panel decision that found "
        "Chinese export duties and quotas on rare earths broke trade rules, in a case brought "
        "by the United States.",
    )
    initiator, target = roles["trade_dispute.wto"]
    assert initiator == ["US"]
    assert not any("WTO" in name or "Appellate" in name for name in initiator + target)


def test_a_sanction_keeps_its_target(tagger) -> None:  # type: ignore[no-untyped-def]
    roles = tagged_roles(
        tagger,
        "EU sanctions Russian drone maker",
        "The European Union imposed sanctions on Kronshtadt, a Russian drone maker.",
    )
    assert roles["sanctions.imposed"][1]
