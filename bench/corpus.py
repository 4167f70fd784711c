"""The benchmark's corpus: a general news feed in which at most one item in ten is in scope.

The gate's speedup depends on how much news it turns away, so the benchmark needs news of the
kind a general feed carries (sport, weather, markets, crime...), including the near misses that
share the policy vocabulary in other senses: players banned and suspended, domestic bills and
bans, ordinary lawsuits, defence and trade figures, export sales. It is generated here from
templates and word lists written for econsec, with a seeded `random.Random`, so every run
times the same items. The in-scope items are the project's own sample feeds, minus their
general-news items, cycled.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import feedparser

from econsec.ingest.articles import plain_text

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "feeds" / "samples"
SAMPLE_SUFFIXES = (".xml", ".atom")
DEFAULT_ITEMS = 5000
QUICK_ITEMS = 1000
IN_SCOPE_SHARE = 0.1
DEFAULT_SEED = 1729
# How many closing sentences a summary gets (weights for 0, 1, 2): summaries of one to three
# sentences whose mean length is close to that of the sample feeds' own general-news items
# (about 227 characters, title included; `corpus_report` prints both means).
CLOSER_WEIGHTS = (0.25, 0.5, 0.25)


@dataclass(frozen=True)
class Item:
    """One news item as the tagger sees it, with the benchmark's own scope label."""

    title: str
    summary: str
    in_scope: bool

    @property
    def pair(self) -> tuple[str, str]:
        return (self.title, self.summary)


# --- word lists (written for the benchmark; every name is made up or generic) ---------------

FIRST_NAMES = (
    "Amara", "Ben", "Chloe", "Dmitri", "Elena", "Femi", "Grace", "Hugo", "Ines", "Jonas",
    "Kenji", "Lucia", "Mateo", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Samir", "Tessa",
    "Ugo", "Vera", "Wes", "Ximena", "Yusuf", "Zoe", "Aiden", "Bea", "Callum", "Dana",
    "Eliot", "Farah", "Gus", "Hana", "Ivo", "Jade", "Kofi", "Lena", "Marcus", "Nora",
)  # fmt: skip
SURNAMES = (
    "Abbott", "Baptiste", "Castillo", "Dube", "Eriksen", "Fontaine", "Gallagher", "Haddad",
    "Iwu", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Pereira",
    "Quigley", "Rinaldi", "Sandoval", "Tanaka", "Ueda", "Varga", "Whitfield", "Xu", "Yilmaz",
    "Zeller", "Adeyemi", "Brennan", "Costa", "Delaney", "Esposito", "Fischer", "Gordon",
    "Holm", "Ibarra", "Jovanovic", "Keane", "Lund", "Murray", "Novak",
)  # fmt: skip
CITIES = (
    "Leeds", "Porto", "Lyon", "Cork", "Gothenburg", "Bristol", "Valencia", "Graz", "Utrecht",
    "Bologna", "Adelaide", "Calgary", "Nagoya", "Busan", "Austin", "Denver", "Glasgow",
    "Nantes", "Krakow", "Seville", "Malmo", "Antwerp", "Perth", "Halifax", "Tampere",
    "Lille", "Cardiff", "Brno", "Dundee", "Sapporo", "Wellington", "Auckland", "Nashville",
    "Pittsburgh", "Bergen", "Salzburg", "Aarhus", "Ghent", "Leicester", "Norwich",
)  # fmt: skip
REGIONS = (
    "the north-east", "the Highlands", "the south coast", "the Midlands", "the valleys",
    "coastal districts", "the lake district", "the western isles", "upland areas",
    "the river delta", "the eastern plains", "mountain villages", "the capital region",
)  # fmt: skip
TEAM_STEMS = (
    "Ashford", "Brookvale", "Carrow", "Dunmore", "Eastleigh", "Fairhaven", "Greystone",
    "Hollins", "Ironbridge", "Kingsmere", "Larchfield", "Millbrook", "Northgate", "Oakham",
    "Portwell", "Redcliffe", "Stanmore", "Thornbury", "Westholme", "Yardley",
)  # fmt: skip
TEAM_SUFFIXES = ("United", "Rovers", "City", "Athletic", "Wanderers", "FC", "Town", "Albion")
COMPANIES = (
    "Harbor Foods", "Larkspur Retail", "Bellwether Brewing", "Copperline Homes",
    "Northwind Airways", "Meadowlark Fashion", "Pinecrest Hotels", "Bluewater Cruises",
    "Granite Bank", "Sunfield Grocers", "Kestrel Motors", "Amberly Toys", "Riverside Media",
    "Fernhill Dairy", "Tidewater Insurance", "Halcyon Gyms", "Orchard Coffee",
    "Summit Outdoor", "Mapleton Furniture", "Crescent Cinemas", "Brightside Pharmacy",
    "Foxglove Cosmetics", "Lantern Books", "Wildrose Pet Supplies",
)  # fmt: skip
ARTISTS = (
    "The Velvet Orchards", "Mira Solace", "Jett Calloway", "Paper Lanterns", "Nova Reyes",
    "Saltwater Choir", "Theo Marlowe", "Golden Hour Club", "Lyra Vance", "The Night Ferries",
    "Kit Alder", "Moonlit Static", "Ruby Kestrel", "Harlow & Finch",
)  # fmt: skip
TITLE_WORDS = (
    "Midnight", "Harbour", "Silver", "Echoes", "Winter", "Garden", "Lighthouse", "Paper",
    "Wild", "Summer", "Glass", "River", "Stone", "Lost", "Hollow", "Copper", "Northern",
    "Secret", "Broken", "Last",
)  # fmt: skip
TITLE_NOUNS = (
    "Tide", "Kingdom", "Letters", "Season", "Road", "Sky", "Promise", "Orchard", "Heart",
    "Station", "Harvest", "Island", "Shadows", "Song", "Border", "Fields",
)  # fmt: skip
STREETS = (
    "Church Street", "Mill Lane", "Victoria Road", "Station Road", "King Street", "Park Avenue",
    "High Street", "Queens Drive", "Market Square", "Elm Grove", "Harbour Road", "Bridge Street",
)  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
STORMS = (
    "Agnes", "Bert", "Ciaran", "Debi", "Elin", "Fergus", "Gerrit", "Henk", "Isha", "Jocelyn",
    "Kathleen", "Lilian", "Morag", "Nelson", "Olga", "Pierrick",
)  # fmt: skip
RIVERS = ("Avon", "Ouse", "Severn", "Trent", "Wye", "Tay", "Derwent", "Calder", "Eden", "Tamar")
FOODS = (
    "olive oil", "walnuts", "porridge", "green tea", "dark chocolate", "lentils", "blueberries",
    "yoghurt", "oily fish", "broccoli", "brown rice", "dried beans",
)  # fmt: skip
CREATURES = (
    "ichthyosaur", "plesiosaur", "giant sloth", "sabre-toothed cat", "sea scorpion",
    "long-necked dinosaur", "prehistoric crocodile", "woolly rhino", "giant penguin",
)  # fmt: skip
BIRDS = (
    "white stork", "osprey", "bittern", "red kite", "golden eagle", "corncrake", "crane",
    "spoonbill", "hen harrier", "great bustard",
)  # fmt: skip
ANIMALS = (
    "snow leopard", "red panda", "Sumatran tiger", "giraffe", "pygmy hippo", "okapi",
    "Amur leopard", "lemur", "sloth bear", "cheetah",
)  # fmt: skip
GADGETS = (
    "smartwatch", "pair of wireless earbuds", "e-reader", "robot vacuum", "fitness ring",
    "folding phone", "action camera", "smart speaker", "coffee machine", "electric toothbrush",
)  # fmt: skip
SITES = (
    "gasworks", "railway yard", "hospital site", "brewery", "army barracks", "paper mill",
    "bus depot", "retail park", "printing works", "cattle market",
)  # fmt: skip
WEATHER = (
    "sunshine and showers", "a dry and bright spell", "fog then sunny spells",
    "blustery winds and rain", "a warm, humid weekend", "frost and clear skies",
)  # fmt: skip
VEHICLES = ("campervan", "vintage tractor", "ice cream van", "motorbike", "horsebox", "minibus")
AWARDS = ("album of the year", "best newcomer", "best live act", "song of the year")
SPORTS = ("tennis", "badminton", "squash", "table tennis", "golf")
CONDITIONS = ("heart disease", "stroke", "dementia", "type 2 diabetes", "depression", "gout")
COASTS = ("the Algarve", "the Dalmatian", "the Aegean", "the Pacific", "the Atlantic", "the Gulf")
BEAT = ("beat", "edge past", "thrash", "overcome", "see off")
WINS = ("wins", "claims", "takes", "scoops")
UP = ("jump", "climb", "rise", "surge", "rally")
DOWN = ("fall", "slide", "drop", "tumble")
UP_PAST = ("gained", "climbed", "lost", "shed")
MARKET_MOODS = (
    "oil prices slip", "bond yields ease", "holiday spending holds up", "bank shares recover",
    "travel stocks rebound", "retailers report a busy weekend",
)  # fmt: skip
MAKERS = (
    "Voltana", "Brightwave", "Kettleby", "Aurelio", "Zentro", "Nimbus Home", "Quillon",
    "Orbis Audio", "Tandem Cycles", "Luma Living", "Pebblestone", "Hearthware",
)  # fmt: skip
BAD_WEATHER = ("wet summer", "mild winter", "cold spring", "late heatwave")
PRODUCE = ("wine", "whisky", "cheese", "salmon", "apples", "barley", "lamb", "honey", "cider")
LOCAL_BANS = (
    "disposable barbecues", "fireworks", "e-scooters", "wood burners", "jet skis", "drones",
    "campervans", "balloon releases", "leaf blowers", "plastic straws",
)  # fmt: skip
RULING_BODIES = (
    "the football association", "the league", "the tennis federation", "the rugby union",
    "the athletics body", "the cycling federation", "the boxing board",
)  # fmt: skip


def _pick(pool: tuple[str, ...]) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(pool)


def _number(low: int, high: int, fmt: str = "{}") -> Callable[[random.Random], str]:
    return lambda rng: fmt.format(rng.randint(low, high))


SLOTS: dict[str, Callable[[random.Random], str]] = {
    "person": lambda rng: f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
    "surname": _pick(SURNAMES),
    "city": _pick(CITIES),
    "region": _pick(REGIONS),
    "team": lambda rng: f"{rng.choice(TEAM_STEMS)} {rng.choice(TEAM_SUFFIXES)}",
    "company": _pick(COMPANIES),
    "maker": _pick(MAKERS),
    "artist": _pick(ARTISTS),
    "work": lambda rng: f"{rng.choice(TITLE_WORDS)} {rng.choice(TITLE_NOUNS)}",
    "street": _pick(STREETS),
    "day": _pick(DAYS),
    "month": _pick(MONTHS),
    "storm": _pick(STORMS),
    "river": _pick(RIVERS),
    "food": _pick(FOODS),
    "creature": _pick(CREATURES),
    "bird": _pick(BIRDS),
    "animal": _pick(ANIMALS),
    "gadget": _pick(GADGETS),
    "site": _pick(SITES),
    "weather": _pick(WEATHER),
    "vehicle": _pick(VEHICLES),
    "award": _pick(AWARDS),
    "sport": _pick(SPORTS),
    "condition": _pick(CONDITIONS),
    "coast": _pick(COASTS),
    "beat": _pick(BEAT),
    "wins": _pick(WINS),
    "up": _pick(UP),
    "down": _pick(DOWN),
    "up_past": _pick(UP_PAST),
    "market_mood": _pick(MARKET_MOODS),
    "bad_weather": _pick(BAD_WEATHER),
    "produce": _pick(PRODUCE),
    "local_ban": _pick(LOCAL_BANS),
    "ruling_body": _pick(RULING_BODIES),
    "score": lambda rng: f"{rng.randint(1, 5)}-{rng.randint(0, 3)}",
    "n": _number(2, 9),
    "num": _number(11, 98),
    "big": _number(120, 980),
    "age": _number(19, 84),
    "young": _number(18, 31),
    "year": _number(1978, 2016),
    "pct": lambda rng: f"{rng.randint(1, 14)}.{rng.randint(0, 9)}",
    "temp": _number(31, 44),
    "mild": _number(9, 24),
    "cm": _number(5, 40),
    "gust": _number(70, 140),
    "price": _number(49, 899),
    "minutes": _number(15, 45),
    "secs": _number(10, 59),
    "year_ahead": _number(2027, 2031),
}

# (category, title, summary): the summary is one sentence; `general_news` may add a closer.
TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("sport", "{team} {beat} {team2} {score} to go top of the table",
     "{person} scored twice after the break as {team} stretched their unbeaten run to {n} "
     "matches."),
    ("sport", "{person} {wins} {city} Open after three-set final",
     "The {young}-year-old saved {n} break points and lifted the {sport} trophy for the first "
     "time in front of a sell-out crowd."),
    ("sport", "{team} sack manager after {n} straight defeats",
     "The club said former captain {person} would take charge on an interim basis until the "
     "end of the season."),
    ("sport", "{person} breaks course record to win {city} marathon",
     "The runner crossed the line in 2:0{n}:{secs}, more than a minute clear of the chasing "
     "pack, on a cool {day} morning."),
    ("sport", "Injury blow for {team} as captain ruled out for {n} weeks",
     "{person} pulled a hamstring in training and will miss the derby against {team2} on "
     "{day}."),
    ("sport", "{team} clinch title on final day with {score} win over {team2}",
     "Fans poured onto the pitch at the final whistle as the club celebrated its first "
     "championship in {num} years."),
    ("sport", "{person} signs {n}-year contract with {team}",
     "The {young}-year-old midfielder joins from {team2} after scoring {num} goals last "
     "season."),
    ("sport", "{person} hits century as {team} chase down {big}",
     "The opener's unbeaten innings sealed a {n}-wicket win with {num} balls to spare at a "
     "packed ground in {city}."),
    ("weather", "Storm {storm} brings gales and heavy rain to {region}",
     "Forecasters warned of gusts of up to {gust} km/h and said some roads in {city} could "
     "flood overnight."),
    ("weather", "Heatwave pushes temperatures to {temp}C in {city}",
     "Officials urged residents to drink water and avoid the midday sun, and opened {n} "
     "cooling centres."),
    ("weather", "Snow closes {num} schools across {region}",
     "Up to {cm}cm fell overnight and bus services were cancelled on several routes around "
     "{city}."),
    ("weather", "Weekend weather: {weather} for {city}",
     "Temperatures will reach {mild}C on Saturday before a cooler {day}, forecasters said."),
    ("weather", "Flood warnings in {city} as River {river} bursts its banks",
     "Residents of {n} villages were told to move valuables upstairs as crews put up "
     "temporary barriers."),
    ("markets", "{company} shares {up} {pct}% after profit beats forecasts",
     "The group reported quarterly profit of {big} million dollars and raised its outlook for "
     "the holiday season."),
    ("markets", "{company} to cut {big} jobs and close {num} stores",
     "The chain blamed weaker footfall and higher rents, and said staff would be offered roles "
     "elsewhere where possible."),
    ("markets", "Stocks {up} as {market_mood}",
     "The main index rose {pct}% on {day}, led by banks and travel shares, while bond yields "
     "were little changed."),
    ("markets", "{company} agrees {big} million takeover of rival {company2}",
     "The deal, which still needs shareholder approval, values the smaller firm at a premium "
     "of {num}% to its closing price."),
    ("markets", "{company} names {person} as chief executive",
     "{person} joins from {company2} in {month} and replaces the founder, who will stay on as "
     "chair."),
    ("markets", "{company} shares {down} after {bad_weather} hits demand",
     "The retailer said like-for-like revenue fell {pct}% in the {num} weeks to {month}."),
    ("culture", "{artist} announce {num}-date world tour",
     "The tour opens in {city} in {month}, with tickets on general release from {day}."),
    ("culture", "'{work}' tops weekend box office with {big} million debut",
     "The drama, starring {person}, beat studio forecasts and drew strong reviews from "
     "audiences."),
    ("culture", "{person} to star in remake of '{work}'",
     "Filming begins in {city} in {month}, and the director said the script had been updated "
     "for a younger audience."),
    ("culture", "{artist} {wins} {award} at music awards",
     "Accepting the prize in {city}, the act thanked their fans and dedicated it to their late "
     "manager."),
    ("culture", "{city} festival draws record {big},000 visitors",
     "Organisers said {num} acts played across {n} stages and that next year's dates would be "
     "announced in {month}."),
    ("culture", "Novelist {person} {wins} prize for debut '{work}'",
     "Judges praised the book's portrait of a seaside town, and the author receives a cheque "
     "for {num},000 pounds."),
    ("crime", "Man, {age}, charged after burglary in {city}",
     "Police said jewellery and a laptop were taken from a house on {street} on {day} night."),
    ("crime", "Woman, {age}, jailed for {n} years over pension fraud",
     "The court heard she stole more than {big},000 pounds from elderly neighbours in {city} "
     "over {num} months."),
    ("crime", "Police appeal for witnesses after crash on {street} in {city}",
     "A {age}-year-old cyclist was taken to hospital with serious injuries after the collision "
     "on {day}."),
    ("crime", "{n} teenagers arrested after shop fire in {city}",
     "Fire crews spent {n} hours at the scene on {street}, and nobody was hurt."),
    ("crime", "Stolen {vehicle} found abandoned in {city} car park",
     "The owner thanked neighbours who shared appeals online, and police said inquiries were "
     "continuing."),
    ("crime", "Court hears {person} ran fake charity for {n} years",
     "Prosecutors said donations worth {big},000 pounds were spent on holidays and a car."),
    ("health", "Hospital waiting times in {region} at longest for {n} years",
     "Figures show {num},000 patients waited more than a year for planned operations, up "
     "{pct}% on last year."),
    ("health", "Study links {food} with lower risk of {condition}",
     "Researchers in {city} followed {big},000 adults for {num} years and found those who ate "
     "it most often fared better."),
    ("health", "Flu cases {up} as winter clinics open in {city}",
     "Doctors urged people over {age} and pregnant women to book a flu jab before {month}."),
    ("health", "New {num}-bed maternity unit opens at {city} hospital",
     "The unit has a birth centre run by midwives and replaces wards built in {year}."),
    ("health", "Daily walk of {minutes} minutes cuts {condition} risk, study suggests",
     "The team in {city} tracked {big},000 people aged over {age} and adjusted for diet and "
     "smoking."),
    ("science", "Amateur astronomer in {city} spots comet heading for inner solar system",
     "The comet, found by {person} with a garden telescope, could be visible to the naked eye "
     "in {month}."),
    ("science", "Fossil of {n}-metre {creature} found in {region} quarry",
     "Palaeontologists said the skeleton was unusually complete and would go on display in "
     "{city} next year."),
    ("science", "Rare {bird} breeds in {region} for first time in {num} years",
     "Volunteers have guarded the nest around the clock since {month}, and {n} chicks have "
     "hatched."),
    ("science", "Deep-sea survey finds {num} new species off {coast} coast",
     "Researchers used a remotely operated vehicle to collect worms, sponges and snails from "
     "depths of {n},000 metres."),
    ("science", "Sea turtles nest in record numbers on {coast} coast",
     "Rangers counted {big} nests this season, the most since records began in {year}."),
    ("transport", "Rail strike to disrupt {city} commuters on {day}",
     "Union members will walk out for {num} hours in a dispute over pay, and only a skeleton "
     "service will run."),
    ("transport", "{city} airport handles record {num} million passengers",
     "The airport credited new holiday routes and said a second terminal would open in "
     "{month}."),
    ("transport", "Roadworks to close {street} in {city} for {n} weeks",
     "Drivers are advised to use the ring road while water mains are replaced."),
    ("transport", "New tram line opens in {city} after {n} years of building work",
     "The {num}-stop line links the station with the university and the new hospital."),
    ("transport", "Bus fares in {city} to rise {pct}% from {month}",
     "The operator blamed fuel and wage costs and said weekly tickets would stay the same for "
     "students."),
    ("property", "{city} council approves {big} new homes on former {site}",
     "A third of the homes will be affordable, and the plans include a school and a park."),
    ("property", "Rents in {city} climb {pct}% in a year",
     "Letting agents said demand from students and young professionals far outstrips the "
     "number of flats on offer."),
    ("property", "Mortgage rates fall to lowest since {month} {year}",
     "Lenders cut fixed-rate deals for the {n}th week in a row as competition for borrowers "
     "heats up."),
    ("products", "{maker} unveils {gadget} with longer battery life",
     "The device goes on sale in {month} at {price} dollars, with a new colour range."),
    ("products", "'{work}' video game sells {n} million copies in first week",
     "The publisher said the open-world adventure was its fastest-selling title, helped by "
     "strong reviews."),
    ("products", "{maker} recalls {big},000 kettles over overheating fault",
     "Customers are told to stop using the model and return it to any store for a full "
     "refund."),
    ("products", "{maker} launches electric bike priced at {price} pounds",
     "The folding bike has a range of {num} kilometres and will be sold online from {day}."),
    ("local", "Chef {person}'s {city} restaurant earns first Michelin star",
     "The {num}-seat restaurant opened in a former {site} {n} years ago."),
    ("local", "{surname} Road primary school in {city} rated outstanding",
     "Inspectors praised its reading scheme and said pupils were polite and keen to learn."),
    ("local", "{city} council votes to dim street lights after midnight",
     "The change will save about {big},000 pounds a year, councillors said."),
    ("local", "{city} zoo celebrates birth of {animal} cub",
     "Keepers said mother and cub were doing well and visitors could see them from {month}."),
    # near misses: the policy vocabulary in its everyday senses
    ("sport", "{person} banned for {n} matches after red card",
     "The {team} midfielder will miss the derby against {team2} after {ruling_body} rejected "
     "the club's appeal."),
    ("sport", "{team} striker suspended for {n} games",
     "The suspension stands while {ruling_body} completes its review of the row in {city}."),
    ("sport", "{person} handed {n}-year ban after failed test",
     "The {young}-year-old {sport} player said she would challenge the decision at the "
     "sport's court of arbitration."),
    ("sport", "{team} lift transfer ban after settling debts",
     "The club can register new players from {month}, {ruling_body} said after a {n}-week "
     "review."),
    ("sport", "{person} makes first title defence in {city}",
     "The champion's defence held firm for {num} rounds and the judges scored it {n}-{n2} in "
     "rounds."),
    ("sport", "{team} lose appeal against points deduction",
     "An independent commission upheld the {n}-point penalty over breaches of spending rules "
     "last season."),
    ("markets", "{company} shares {up} as export sales climb {pct}%",
     "Overseas orders made up a third of revenue in the half year, and the board raised its "
     "dividend."),
    ("markets", "{company} suspends trading in its shares ahead of a deal",
     "The board said talks with a private equity buyer were at an early stage and an offer "
     "was not certain."),
    ("markets", "Regulator clears {company} takeover of {company2}",
     "The competition watchdog approved the deal after the buyer agreed to sell {num} stores "
     "in {region}."),
    ("markets", "Exports of {produce} {up} to record {big} million pounds",
     "Producers in {region} said buyers abroad wanted more of their {produce} than ever "
     "before."),
    ("markets", "{company} to halt production at {city} plant for {n} weeks",
     "The company blamed weak demand and said staff would be paid in full during the pause."),
    ("markets", "Import prices for {produce} {down} as harvest beats forecasts",
     "Traders in {city} said buyers had stocked up early and the crop is larger than expected."),
    ("courts", "{company} faces lawsuit over cancelled holidays",
     "Customers say they are still waiting for refunds, and a judge in {city} will hear the "
     "case in {month}."),
    ("courts", "Judge blocks {city} council's {local_ban} ban",
     "Traders argued the rules would cost them customers; the council said it would appeal "
     "against the ruling."),
    ("courts", "Court orders {company} to pay {num} million in contract dispute",
     "The judge ruled that the retailer had broken its supply deal with a dairy in {region}."),
    ("courts", "{person} wins claim against {company} after being suspended",
     "A tribunal in {city} found the firm had ignored its own rules when it suspended her "
     "without pay."),
    ("courts", "Appeal court quashes licence for {city} stadium concerts",
     "Residents said the licence was granted without a proper review of noise and traffic."),
    ("courts", "Defence seeks retrial in {city} fraud case",
     "The defence says the jury heard evidence the judge had ruled out, and the appeal will "
     "be heard in {month}."),
    ("politics", "MPs back bill to ban {local_ban} in national parks",
     "The bill now goes to a committee for review, and the ban could start next {month}."),
    ("politics", "Councillor suspended from party over expenses",
     "The party said the suspension would last until a review was complete, and {person} "
     "denies wrongdoing."),
    ("politics", "{city} to ban {local_ban} from {month}",
     "Councillors voted {num} to {n} for the plan, and people who break the ban face a "
     "{price}-pound fine."),
    ("politics", "Defence minister opens new army barracks near {city}",
     "The site will house {big} soldiers and their families, and the old base will be sold "
     "for homes."),
    ("politics", "{person} launches bid to lead the opposition",
     "The MP for {city} said the party needed a fresh plan on housing and a new deal for "
     "young voters."),
    ("politics", "Bill to cut speed limits to 20mph passes first vote",
     "Supporters said the law would make streets in {city} safer; opponents called it a "
     "blanket restriction."),
)  # fmt: skip

# Closing sentences, zero to two per item (CLOSER_WEIGHTS), so summaries run to one to three
# sentences.
CLOSERS: dict[str, tuple[str, ...]] = {
    "sport": (
        '"We knew we had to be patient, and the second half showed what this group can do," '
        "{person2} told reporters.",
        "The result leaves the club {n2} points clear with {num2} "
        "games to play, and the next fixture is away in {city}.",
        "Highlights will be shown on {day} evening.",
        "It was watched by a crowd of {num2},000.",
        "{person2} called it one of the best performances of the season.",
    ),
    "weather": (
        "Emergency services in {city} said they had answered {num2} calls "
        "overnight, mostly about fallen trees and blocked drains.",
        "Forecasters expect the unsettled spell to last until {day}, with "
        "lighter winds and drier conditions arriving later in the week.",
        "The Met Office said conditions should improve by {day}.",
        "Drivers were asked to check before travelling and allow extra time.",
        "Train operators in {city} warned of delays and cancellations.",
    ),
    "markets": (
        "Chief executive {person2} told analysts on a call that trading "
        "in the first weeks of {month} had been in line with plans.",
        "The group will publish a fuller update on {day}, when it "
        "is also expected to give more detail on store openings.",
        "Analysts said the news was largely expected.",
        "The shares have {up_past} {n2}% since the start of the year.",
        "Results for the full year are due in {month}.",
    ),
    "culture": (
        "The organisers said {num2},000 people had signed up for early "
        "access, and that more dates could be added if demand holds up.",
        "It follows a busy year in which the act played festivals across "
        "the country and released a live album recorded in {city}.",
        "Fans queued for hours outside the venue in {city}.",
        "Critics have called it one of the highlights of the year.",
        "A documentary about the making of it airs on {day}.",
    ),
    "crime": (
        "Detectives said they were reviewing camera footage from the area "
        "and urged anyone with a dashcam recording to come forward.",
        "The defendant, who lives in {city}, denies the charges and "
        "was released on bail until a further hearing in {month}.",
        "Anyone with information is asked to call police.",
        "The case will be heard at {city} Crown Court next month.",
        "Officers said they were not looking for anyone else.",
    ),
    "health": (
        "The findings, published in a peer-reviewed journal, add to a "
        "growing body of work on everyday habits and long-term health.",
        "Local doctors said more appointments would be offered in the "
        "evenings and at weekends to help clear the backlog by {month}.",
        "Health officials said more staff would be recruited by {month}.",
        "Patients' groups welcomed the news.",
        "The local health board will publish more details on {day}.",
    ),
    "science": (
        "The team plans to return next {month} with better equipment, "
        "and hopes to share its findings with schools in {city}.",
        "Experts said the discovery would help them understand how the "
        "area looked thousands of years ago, before the coast changed.",
        "Local volunteers helped with the work.",
        "More details will be published on {day}.",
        "Visitors are asked to keep their distance.",
    ),
    "transport": (
        "Passenger groups in {city} said they welcomed the change but "
        "wanted more evening services and better step-free access.",
        "Engineers will carry out further checks over the weekend, "
        "and a fuller timetable is expected to return by {day}.",
        "Passengers are advised to check timetables before setting out.",
        "The operator apologised for the disruption.",
        "Work on a second phase is due to start in {year_ahead}.",
    ),
    "property": (
        "Councillors in {city} said the scheme would also bring new shops, "
        "a health centre and improved cycle routes to the area.",
        "Buyers and renters alike are watching interest rates closely, "
        "with many waiting to see what happens before {month}.",
        "Estate agents in {city} said first-time buyers were returning to the market.",
        "The average home now costs {num} times average earnings.",
        "Residents will be consulted on the final design in {month}.",
    ),
    "products": (
        "Early reviewers praised the design and the price but said "
        "the instructions in the box could be a good deal clearer.",
        "The company said it expected strong demand over the holidays "
        "and had increased stock at its stores in {city}.",
        "Details are on the company's website.",
        "A spokesperson said more would be announced in {month}.",
        "The company's shares were little changed on {day}.",
    ),
    "courts": (
        "The case continues, and lawyers for both sides said they expected it to last {n2} weeks.",
        "A spokesperson for {company2} declined to comment.",
        "The full judgment will be published on {day}.",
        "Legal costs are expected to run to {num2},000 pounds.",
        "The hearing in {city} was adjourned until {month}.",
    ),
    "politics": (
        "Opposition members said the plan did not go far enough and would "
        "return to it when the committee reports in {month}.",
        "{person2} said the decision reflected what residents had asked for.",
        "A consultation runs until {month}.",
        "The vote was closer than expected.",
        "Local papers in {city} have backed the change.",
    ),
    "local": (
        "Volunteers spent {n2} months preparing for the day, and organisers "
        "hope it will become a regular event in the town.",
        "The decision was welcomed by residents of {street}, who "
        "had campaigned on the issue for more than {n2} years.",
        "The mayor of {city} said the town was proud.",
        "Residents can comment on the plans until {month}.",
        "Parents and staff celebrated with a party on {day}.",
    ),
}


def _fields(template: str) -> list[str]:
    """Slot names in a template, base slots before their numbered twins (team, team2)."""
    return sorted({name for _, name, _, _ in string.Formatter().parse(template) if name})


def _fill(slots: list[str], rng: random.Random) -> dict[str, str]:
    """Draw a value per slot; `team2` never repeats `team`, so a match has two sides."""
    values: dict[str, str] = {}
    for slot in slots:
        base = slot.rstrip("2")
        value = SLOTS[base](rng)
        while slot != base and value == values.get(base):
            value = SLOTS[base](rng)
        values[slot] = value
    return values


def news_item(rng: random.Random) -> Item:
    """One out-of-scope item: a random template, zero to two closers, fresh slot values."""
    category, title, summary = rng.choice(TEMPLATES)
    count = rng.choices(range(len(CLOSER_WEIGHTS)), weights=CLOSER_WEIGHTS)[0]
    closers = rng.sample(CLOSERS[category], count)
    summary = " ".join([summary, *closers])
    values = _fill(_fields(title + summary), rng)
    return Item(title.format(**values), summary.format(**values), in_scope=False)


def general_news(count: int, rng: random.Random) -> list[Item]:
    """`count` out-of-scope items of a general news feed."""
    return [news_item(rng) for _ in range(count)]


# --- in-scope items: the sample feeds -------------------------------------------------------

# The sample feeds' general-news items (sport, weather, markets and macro figures, product
# launches, opinion pieces, statistics releases, site notices): 36 titles, where the README
# counts 45 out of scope, because denials, hypotheticals and explainers ("no plans to ban
# TikTok") stay in the in-scope part: they are policy news that the gate must let through.
SAMPLE_OUT_OF_SCOPE = frozenset(
    {
        "Huawei launches Mate 70 phones running its own HarmonyOS",
        "Xiaomi unveils SU7, its first electric car",
        "China’s factory activity contracts for a third month",
        "ECB cuts interest rates for the first time since 2019",
        "Op-ed: Europe’s chip ambitions need more than subsidies",
        "Infineon trims revenue outlook as car-chip demand slows",
        "Heatwave: Brussels and Flanders on orange alert as temperatures near 35°C",
        "Ohtani hits 50th home run, steals 50th base in historic night",
        "Toyota posts record annual profit on weak yen and hybrid sales",
        "Heavy snow grounds flights and halts trains in Hokkaido",
        "Sony unveils PlayStation 5 Pro priced at $699",
        "Comment: the chip war is coming for your next laptop",
        "Japan thrash Germany 4-1 in Wolfsburg friendly",
        "Nikkei tops 1989 record high for first time in 34 years",
        "Weekend weather: sunshine and showers, with a chilly start on Sunday",
        "Korean won slides to weakest level since 2009 amid political turmoil",
        "Taiwan stuns Japan to win Premier12 baseball title",
        "Hyundai unveils Ioniq 9, its first three-row electric SUV",
        "SK Hynix posts record quarterly profit on HBM boom",
        "Typhoon Gaemi shuts Taiwan’s offices, schools and stock market for second day",
        "Samsung shares slide 3% as investors fret over China exposure",
        "Results of the Japan Pavilion at Expo 2025 Osaka, Kansai: 10 millionth visitor welcomed",
        "Results of the follow-up survey on price pass-through by small and medium-sized "
        "enterprises (March 2024)",
        "Monthly Report on the Indices of Industrial Production (Preliminary Report for March "
        "2024)",
        "Notice: scheduled maintenance of the METI website",
        "Storm Darragh: government update on power cuts and flood response",
        "Chancellor responds to latest GDP figures",
        "National Security and Investment Act 2021: annual report 2024",
        "£30 million to upgrade grassroots football and multi-sport pitches",
        "Apple unveils iPhone 16 lineup built for Apple Intelligence",
        "Opinion: Tariffs are a tax on Americans, and the chip war won’t change that",
        "Week ahead: Fed decision, retail sales, and a holiday-shortened week",
        "Nvidia’s market value tops $3 trillion as AI rally rolls on",
        "Oil steadies as traders weigh OPEC+ output plans",
        "Tokyo Electron raises annual profit forecast on AI chip demand",
        "Typhoon Lan forces hundreds of flight cancellations in western Japan",
    }
)


def feed_items(directory: Path = SAMPLES_DIR) -> list[tuple[str, str]]:
    """(title, summary) of every sample-feed entry, as `econsec.ingest.articles` reads it."""
    pairs = []
    for path in sorted(p for p in directory.iterdir() if p.suffix in SAMPLE_SUFFIXES):
        for entry in feedparser.parse(str(path)).entries:
            title = plain_text(str(entry.get("title") or ""))
            summary = plain_text(str(entry.get("summary") or entry.get("description") or ""))
            pairs.append((title, summary))
    return pairs


def sample_in_scope(directory: Path = SAMPLES_DIR) -> list[Item]:
    """The sample feeds' policy items, exact repeats dropped (the pipeline drops them too)."""
    pairs = dict.fromkeys(p for p in feed_items(directory) if p[0] not in SAMPLE_OUT_OF_SCOPE)
    return [Item(title, summary, in_scope=True) for title, summary in pairs]


def sample_out_of_scope_mean_chars(directory: Path = SAMPLES_DIR) -> float:
    """Mean length (title + summary) of the sample feeds' general-news items: the yardstick for
    the generated out-of-scope part, whose length sets how much work the gate saves."""
    lengths = [len(t) + len(s) for t, s in feed_items(directory) if t in SAMPLE_OUT_OF_SCOPE]
    return round(sum(lengths) / len(lengths), 1)


def in_scope_count(total: int, share: float = IN_SCOPE_SHARE) -> int:
    """How many of `total` items are in scope: exactly `share` of them, rounded down."""
    return int(total * share + 1e-9)


def build_mix(
    total: int = DEFAULT_ITEMS,
    seed: int = DEFAULT_SEED,
    share: float = IN_SCOPE_SHARE,
    in_scope: Iterable[Item] | None = None,
) -> list[Item]:
    """`total` items, `share` of them in scope (the samples, cycled), shuffled with `seed`."""
    pool = list(in_scope) if in_scope is not None else sample_in_scope()
    wanted = in_scope_count(total, share)
    if wanted and not pool:
        raise ValueError("no in-scope items to build the mix from")
    rng = random.Random(seed)
    chosen = [pool[i % len(pool)] for i in range(wanted)]
    items = chosen + general_news(total - wanted, rng)
    rng.shuffle(items)
    return items
