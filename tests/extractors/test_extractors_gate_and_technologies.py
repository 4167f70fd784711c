"""The cheap pass: technologies and the relevance gate on tokenizer output only."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import extractors.gate  # noqa: F401  (registers the factory)
import extractors.technologies  # noqa: F401
from extractors.gate import GATE_FILE, decide, load_gate_lists
from extractors.learning.evaluate import format_report, score
from extractors.resources import DataFileError
from extractors.text import join_item


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("econsec_technologies")
    nlp.add_pipe("econsec_gate")
    return nlp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tokyo curbs exports of chipmaking equipment", ["semiconductors", "advanced_materials"]),
        ("Beijing limits gallium and germanium shipments", ["critical_minerals"]),
        ("New AI chips from the start-up", ["semiconductors", "ai"]),
        ("Carriers must remove 5G gear by 2027", ["telecom"]),
        ("Regulator orders the video app removed from app stores", ["digital_platforms"]),
        ("A new smartphone goes on sale", []),
        ("Hackers hit the space agency's satellites", ["cybersecurity", "space"]),
    ],
)
def test_technologies(nlp: Language, text: str, expected: list[str]) -> None:
    assert nlp(text)._.technologies == expected


# One headline or more per event type, each alone (no lead): the gate sees only its words.
HEADLINES = [
    "Beijing halts rare earth shipments to Japan",
    "Seoul curbs sales of chip tools to Chinese buyers",
    "Commerce Department blacklists 12 Chinese firms",
    "US grants Samsung waiver to ship equipment to China plant",
    "Berlin tightens rules on foreign takeovers",
    "Italy vetoes Chinese purchase of robotics maker",
    "Treasury panel probes Chinese stake in battery startup",
    "Telecom operators told to strip Huawei gear from networks",
    "State bans Chinese-owned messaging app on government devices",
    "Ministry bars Hikvision cameras from public tenders",
    "EU freezes assets of Russian drone makers",
    "Washington eases penalties on Chinese chip firm",
    "Japan and India sign memorandum on semiconductors",
    "UK and Japan launch joint research on quantum computing",
    "Allies agree to coordinate curbs on chipmaking gear",
    "Samsung to build $17 billion chip plant in Texas",
    "Panasonic opens battery factory in Kansas",
    "Japan to build up stockpile of rare metals",
    "India and Australia agree on lithium supply deal",
    "Automakers halt production as Chinese magnet curbs bite",
    "Tokyo approves 900 billion yen in aid for Rapidus",
    "Government unveils quantum research programme worth $1 billion",
    "Parliament passes economic security bill into law",
    "Senate panel introduces bill to restrict Chinese drones",
    "Japan releases first economic security strategy",
    "Seoul sets up supply chain task force in presidential office",
    "Canada overhauls security clearance for defence contractors",
    "Universities told to screen foreign researchers",
    "Engineer charged with stealing chip designs for Chinese rival",
    "Chinese shoppers shun Japanese goods after seafood row",
    "Beijing hits back with tariffs on US chips",
    "Australia takes barley dispute to WTO",
    "TikTok sues over Montana ban",
    "UK applies to join CPTPP",
    "EU and Singapore sign digital trade agreement",
    "Hackers linked to Beijing breach Japanese defence networks",
    "Government issues new cybersecurity rules for critical infrastructure",
    "Japan leads talks on AI rules at G7",
    "New Delhi orders payment data to be stored locally",
    "Japan donates vaccines to Taiwan",
    "US and Japan fund undersea cable to Palau",
    "Philippines secures loan for Open RAN network",
    "Japan's METI adds graphite to list of critical minerals",
    "Korea orders chip makers to report inventory",
    "US to restrict investment in Chinese AI firms",
    "Netherlands imposes licence requirement on ASML machines",
    "China puts Lockheed units on unreliable entity list",
    "Japan revises foreign exchange law to cover more sectors",
    "Tokyo and Canberra hold economic two-plus-two talks",
    "Japan, US agree on critical minerals pact",
    "India bans 59 Chinese apps",
    "Vietnam courts chipmakers with tax breaks",
    "Germany earmarks 20 billion euros for chip subsidies",
    "Britain blocks sale of Newport Wafer Fab",
    "EU opens anti-subsidy probe into Chinese electric cars",
    "US adds Chinese drone maker to military company list",
    "Taiwan arrests engineers for poaching by Chinese firms",
    "Intel breaks ground on Ohio fab",
    "Micron chooses Hiroshima for new memory plant",
    "China restricts exports of graphite",
    "Lithium shortage idles battery lines after export curbs",
    "Tokyo names economic security minister to oversee supply chains",
    "Japan launches national AI safety institute",
    "Seoul strengthens penalties for tech leakage",
    "US and EU form trade and technology council",
    "Japan joins US-led minerals security partnership",
    "Dutch government takes control of chipmaker Nexperia",
    "China suspends imports of Japanese seafood",
    "Beijing fines US chip firm over antitrust probe",
    "Japan to require screening of foreign buyers of land near bases",
    "EU adopts Critical Raw Materials Act",
    "France signs nuclear cooperation agreement with India",
    "India launches semiconductor mission with $10 billion incentive",
]


@pytest.mark.parametrize("title", HEADLINES)
def test_gate_passes_a_bare_headline_of_every_type(nlp: Language, title: str) -> None:
    assert nlp(title)._.in_scope


# Ordinary news that shares those headlines' words: homes and clubs sold abroad, coups, war,
# gadgets, cage fights, screenings, markets, prices, charities, council jobs.
NEAR_MISS_HEADLINES = [
    "Canada extends ban on foreign buyers of homes",
    "Newcastle takeover: Premier League rules on foreign ownership",
    "Military seizes control of state TV in Niger coup",
    "China sends military aircraft near Taiwan",
    "Apple ships new MacBook with faster chips",
    "Ambulance sent to medical emergency at school",
    "UFC fighter agrees deal for rematch",
    "Hamas fighters agree to ceasefire deal",
    "Screen star arrested after bar fight",
    "University research shows cancer screening saves lives",
    "US business inventories rise as trade deficit widens",
    "Yen slides in foreign exchange markets as BoJ outlines plan",
    "EU electricity prices soar amid heatwave",
    "Charity partners pledge to fund new playground",
    "Tesla output of electric vehicles rises at Shanghai plant",
    "City council hires workforce for parks office",
]


@pytest.mark.parametrize("title", NEAR_MISS_HEADLINES)
def test_gate_turns_away_a_bare_headline_of_ordinary_news(nlp: Language, title: str) -> None:
    assert not nlp(title)._.in_scope


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Ruritania adds three firms to its Entity List", "The trade ministry said so."),
        ("Ministry tightens export controls on drones", ""),
        ("Parliament passes law on economic security", "The act covers supply chains."),
        ("Country files WTO complaint over tariffs", ""),
        ("Government bans the video app on official phones", "Staff must delete TikTok."),
        ("Regulator blocks takeover of chip designer", "It cited national security."),
    ],
)
def test_gate_passes_economic_security_news(nlp: Language, title: str, summary: str) -> None:
    doc = nlp(join_item(title, summary))
    assert doc._.in_scope
    assert doc._.gate_categories


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Striker signs new contract with club", "He scored 20 goals this season."),
        ("Storm brings heavy snow to the north", "Roads were closed overnight."),
        ("Bakery wins national bread award", "The rye loaf impressed the judges."),
        ("School bans phones in classrooms", "Parents backed the rule."),
    ],
)
def test_gate_turns_away_other_news(nlp: Language, title: str, summary: str) -> None:
    assert not nlp(join_item(title, summary))._.in_scope


def test_gate_on_general_news_fixture(nlp: Language) -> None:
    """Most general news must fail the gate, or the speed-up is lost."""
    from extractors.learning.evaluate import read_items

    items = read_items(Path(__file__).parent / "fixtures" / "general_news.jsonl")
    passed = sum(nlp(join_item(i["title"], i["summary"]))._.in_scope for i in items)
    assert passed / len(items) <= 0.1


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Shoppers boycott Japanese beer and cars", "Sales of the brands fell as the row grew."),
        ("Consumers are boycotting American brands", "Shops took the goods off their shelves."),
        ("Payment data must be stored locally, central bank says", "Firms have six months."),
        ("Universities told to report researchers' foreign ties", "Grants may be withdrawn."),
        ("Standards body approves new radio specifications", "Member states voted for it."),
        ("Floods shut electronics factories", "A shortage of hard drives is expected."),
        ("Chipmaker breaks ground on new fabrication line", "Output starts in two years."),
        ("Engineers collaborate on 6G trials", "The EU and Japan fund the testbeds."),
    ],
)
def test_gate_passes_wording_of_its_own_category(nlp: Language, title: str, summary: str) -> None:
    assert nlp(join_item(title, summary))._.in_scope


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Washington forward suspended for two games", "The NHL said the hit was illegal."),
        ("Sprinter banned for four years after doping test", "The government agency said so."),
        ("Champion suspended before his title defence", "The boxing commission cited a test."),
        ("Judge blocks city ban on flavoured vaping products", "The government will appeal."),
        ("Jury clears phone maker in patent infringement lawsuit", "The technology firm won."),
        ("Chipmaker's sales jump on data center demand", "Net profit doubled in the quarter."),
        ("Phone maker launches handset with a faster chip", "It goes on sale in May."),
        ("Government plans ban on smoking in parks", "The bill is set to pass."),
    ],
)
def test_gate_turns_away_the_other_senses(nlp: Language, title: str, summary: str) -> None:
    assert not nlp(join_item(title, summary))._.in_scope


def test_strong_trigger_passes_despite_an_ordinary_marker(nlp: Language) -> None:
    doc = nlp(join_item("Club owner's assets frozen under sanctions", "The season starts today."))
    assert doc._.in_scope and doc._.gate_categories == ["sanctions"]


@pytest.mark.parametrize(
    ("keys", "technologies", "expected"),
    [
        ({"weak:economic_coercion", "context:economic_coercion"}, False, ["economic_coercion"]),
        ({"weak:legislation", "context:economic_coercion"}, False, []),
        ({"weak:legislation", "context"}, False, ["legislation"]),
        ({"weak:legislation"}, True, ["legislation"]),
        ({"weak:legislation"}, False, []),
        ({"weak:legislation", "context", "ordinary"}, True, []),
        ({"strong:sanctions", "weak:legislation", "context", "ordinary"}, False, ["sanctions"]),
        (set(), True, []),
    ],
)
def test_decide(keys: set[str], technologies: bool, expected: list[str]) -> None:
    assert decide(keys, technologies) == expected


def test_gate_lists_round_trip_through_disk(nlp: Language, tmp_path: Path) -> None:
    gate = nlp.get_pipe("econsec_gate")
    gate.to_disk(tmp_path)
    loaded = load_gate_lists(tmp_path / GATE_FILE)
    assert loaded == gate.lists and loaded.ordinary and loaded.near["economic_coercion"]


def test_unknown_category_is_refused(tmp_path: Path) -> None:
    (tmp_path / GATE_FILE).write_text("triggers:\n  weather:\n    weak: [rain]\n")
    with pytest.raises(DataFileError, match="weather"):
        load_gate_lists(tmp_path / GATE_FILE)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [(["a", "b"], {"gate_pass_rate_negatives": 0.5}), ([], {"gate_pass_rate_negatives": None})],
)
def test_eval_reports_the_pass_rate_on_negatives(keys: list[str], expected: dict) -> None:
    items = [{"id": k, "labels": {"events": [], "technologies": []}} for k in keys]
    preds = [{"id": k, "events": [], "in_scope": k == "a"} for k in keys]
    scores = score(items, preds)
    assert {k: scores[k] for k in expected} == expected
    assert "gate pass rate on negatives" in format_report(scores)
