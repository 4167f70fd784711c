"""The values each search filter takes, and what people type for them.

One normalisation for the CLI, the API and the pages (`SearchQuery.from_user`): a
country name or demonym becomes its ISO code through the tagger's own gazetteer
(`extractors.gazetteer`), a category given as a type stands for every type of it, a
technology may be singular or plural, and `type:export_control.*` in the query text is
the category. A value no event can have is refused with the nearest valid ones: a
filter that matches nothing would answer "0 events", as if nothing had happened.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from functools import cache

from econsec.errors import FilterValueError

STATUSES = ("planned", "enacted")
# `SearchQuery` field -> the filter's name as people see it (`--type`, `type=`)
NAMES = {
    "types": "type",
    "categories": "category",
    "technologies": "technology",
    "countries": "country",
    "initiators": "initiator",
    "statuses": "status",
    "outlets": "outlet",
}
# `econsec values FIELD` / `/api/values/{field}` -> the events' field
VALUE_FIELDS = {
    "type": "type",
    "category": "category",
    "technology": "technologies",
    "tech": "technologies",
    "country": "countries",
    "initiator": "initiator",
    "status": "status",
    "outlet": "source",
}
VALUE_NAMES = ("type", "category", "technology", "country", "initiator", "status", "outlet")
NEAREST = 3  # suggestions in a refusal
SHORT_LIST = 20  # a filter with at most this many values lists them all when refusing
# `field:value` in a query's text, or a quoted phrase (left as it is)
FIELD_VALUE = re.compile(
    r'"(?:[^"\\]|\\.)*"'
    r"|(?<![\w.\\])(type|category|technologies|status|countries|initiator):"
    r'(?:"((?:[^"\\]|\\.)*)"|([^\s()"]+)|\(((?:[^()"]|"[^"]*")*)\))'
)
GROUP_TERM = re.compile(r'"[^"]*"|[^\s]+')  # a value or an operator in `field:(a OR b)`
OPERATORS = {"AND", "OR", "NOT", "&&", "||"}
SYNTAX = set("*?^~[]{}\\/:")  # a value holding one of these is Lucene syntax, not a code
QUERY_FIELDS = {
    "type": "types",
    "category": "categories",
    "technologies": "technologies",
    "status": "statuses",
    "countries": "countries",
    "initiator": "initiators",
}


# `SearchQuery` field -> the events' field it filters
EVENT_FIELDS = {
    "types": "type",
    "categories": "category",
    "technologies": "technologies",
    "countries": "countries",
    "initiators": "initiator",
    "statuses": "status",
    "outlets": "source",
}
Known = Callable[[str], dict[str, int]]  # events' field -> its values in the store (`Store.values`)


def normalise(field: str, values: list[str], known: Known | None = None) -> list[str]:
    """`values` of the `SearchQuery` list field `field` as the index holds them, each
    once; a `FilterValueError` for the first that no event could have. With `known`
    (the store's values), a value outside the taxonomy and the gazetteer is searched
    when the store holds it, and refused when it does not."""
    found: list[str] = []
    for value in values:
        try:
            found += NORMALISERS[field](value)
        except FilterValueError as refused:
            found.append(_stored(field, value, refused, known))
    return list(dict.fromkeys(found))


def _stored(field: str, value: str, refused: FilterValueError, known: Known | None) -> str:
    """A value the store holds though the taxonomy or gazetteer does not know it (a code
    of an older taxonomy, an organisation the tagger named from the text), as stored.
    Without the store, an initiator is searched as written unless it looks like a typo."""
    if known is None:
        if field in ("initiators", "outlets") and not refused.nearest:
            return value
        raise refused
    stored = known(EVENT_FIELDS[field])
    by_lower = {v.lower(): v for v in stored}
    if value.lower() in by_lower:
        return value if value in stored else by_lower[value.lower()]
    nearest = _nearest(value, list(stored))
    if nearest and not refused.nearest:
        message = f"not in the store; did you mean {' or '.join(nearest)}?"
        raise FilterValueError(refused.name, value, message, nearest) from None
    raise refused


def listed_values(known: Known, name: str | None = None) -> dict[str, dict[str, int]]:
    """The values each filter (or the one named) can match in the store, with their
    numbers of events, most frequent first (`econsec values`, `/api/values/{name}`)."""
    if name is not None and name not in VALUE_FIELDS:
        raise FilterValueError("filter", name, f"unknown; use one of {', '.join(VALUE_NAMES)}")
    return {each: known(VALUE_FIELDS[each]) for each in ([name] if name else VALUE_NAMES)}


def rewrite_query(q: str, known: Known | None = None) -> str:
    """The query with each `field:value` of a filtered field written as the index holds
    it (`type:export_control.*` -> `category:export_control`, `initiator:China` ->
    `initiator:CN`, `countries:(China OR Japan)` -> `(countries:CN OR countries:JP)`);
    wildcards other than a category's, ranges and fuzzy terms are left to the parser."""

    def rewrite(match: re.Match[str]) -> str:
        field, quoted, bare, group = match.groups()
        if field is None:  # a phrase
            return match.group(0)
        if group is None:
            return _term(field, quoted if quoted is not None else bare, quoted is not None, known)
        terms = [
            term
            if term in OPERATORS or term[:1] in "+-!"
            else _term(field, term.strip('"'), term[:1] == '"', known)
            for term in GROUP_TERM.findall(group)
        ]
        return f"({' '.join(terms)})"

    return FIELD_VALUE.sub(rewrite, q)


def _term(field: str, value: str, quoted: bool, known: Known | None) -> str:
    """One `field:value` as the index holds it."""
    if _left_to_parser(field, value):
        return f'{field}:"{value}"' if quoted else f"{field}:{value}"
    if field == "type" and _category_of_type(value):
        return f"category:{_category_of_type(value)}"
    normal = normalise(QUERY_FIELDS[field], [value], known)[0]
    return f'{field}:"{normal}"' if quoted or " " in normal else f"{field}:{normal}"


def _left_to_parser(field: str, value: str) -> bool:
    """Wildcards, ranges, boosts and fuzzy terms are the parser's (but a category's
    `type:export_control.*` is the category)."""
    special = any(char in value for char in SYNTAX)
    return special and not (field == "type" and _category_of_type(value))


# taxonomy ---------------------------------------------------------------------


@cache
def _taxonomy() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    from extractors.taxonomy import CATEGORIES, CODES, TECHNOLOGIES

    return CODES, CATEGORIES, TECHNOLOGIES


def _category_of_type(value: str) -> str | None:
    """The category a "type" stands for: `export_control`, `export_control.*`."""
    _, categories, _ = _taxonomy()
    bare = value.strip().lower().removesuffix("*").removesuffix(".")
    return bare if bare in categories else None


def _types(value: str) -> list[str]:
    codes, _, _ = _taxonomy()
    wanted = value.lower()
    if wanted in codes:
        return [wanted]
    category = _category_of_type(value)
    if category:
        return [code for code in codes if code.split(".", 1)[0] == category]
    return _refuse("types", value, [*codes, *_taxonomy()[1]], "`econsec taxonomy` lists them")


def _categories(value: str) -> list[str]:
    codes, categories, _ = _taxonomy()
    wanted = value.lower().removesuffix(".*")
    if wanted in categories:
        return [wanted]
    if wanted in codes:
        raise FilterValueError("category", value, "is an event type: filter on type instead")
    return _refuse("categories", value, categories)


def _technologies(value: str) -> list[str]:
    _, _, technologies = _taxonomy()
    wanted = re.sub(r"[\s-]+", "_", value.strip().lower())
    for domain in technologies:
        if _same_word(wanted, domain):
            return [domain]
    return _refuse("technologies", value, technologies)


def _same_word(typed: str, domain: str) -> bool:
    """Singular or plural of the last word: `semiconductor`, `critical_mineral`."""
    from extractors.resources import plural

    return domain in (typed, plural(typed)) or typed == plural(domain)


def _statuses(value: str) -> list[str]:
    if value.lower() in STATUSES:
        return [value.lower()]
    return _refuse("statuses", value, STATUSES)


# actors -----------------------------------------------------------------------


def _countries(value: str) -> list[str]:
    code = _country_code(value)
    if code:
        return [code]
    known = _actor(value)
    if known:
        raise FilterValueError(
            "country", value, f"is not a country but {known}: filter on initiator instead"
        )
    return _refuse("countries", value, list(_country_names()), shown=_with_code)


def _initiators(value: str) -> list[str]:
    """A country (code, name or demonym) or a known group or organisation, as the tagger
    writes it; other names are left to `_stored` (the tagger also names organisations it
    finds in the text)."""
    code = _country_code(value)
    if code:
        return [code]
    known = _actor(value) or _canonical().get(value.lower())
    if known:
        return [known]
    if len(value) <= 2:
        return _refuse("initiators", value, list(_country_names()), shown=_with_code)
    names = _actor_names()
    return _refuse("initiators", value, list(names), shown=lambda n: names[n])


def _outlets(value: str) -> list[str]:
    """Outlets come from the feeds, not the taxonomy: only the store knows them."""
    listing = "`econsec values outlet` or /api/values/outlet lists them"
    raise FilterValueError("outlet", value, f"no event in the store has this outlet ({listing})")


def _country_code(value: str) -> str | None:
    """The ISO code (or EU) of a country code, name or demonym; None for anything else."""
    import pycountry

    from extractors.countries import is_country

    if len(value) == 2 and value.isalpha():
        upper = value.upper()
        if upper == "EU" or pycountry.countries.get(alpha_2=upper):
            return upper
    found = _actor(value)
    return found if found and is_country(found) else None


def _actor(value: str) -> str | None:
    """What the tagger's gazetteer makes of a name, as typed or capitalised."""
    from extractors.gazetteer import normalise_actor

    for form in dict.fromkeys((value, value.title(), value.upper())):
        found = normalise_actor(form)
        if found:
            return found
    return None


@cache
def _country_names() -> dict[str, str]:
    """Country name (pycountry's and the gazetteer's) -> ISO code, for suggestions."""
    from extractors.countries import is_country
    from extractors.gazetteer import default_gazetteer

    states = default_gazetteer().states
    return {name: code for name, code in states.items() if is_country(code) and len(name) > 3}


@cache
def _actor_names() -> dict[str, str]:
    """Every name the gazetteer knows -> how it is shown in a suggestion."""
    from extractors.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    names = {name: f"{name} ({code})" for name, code in _country_names().items()}
    for table in (gazetteer.groups, gazetteer.orgs):
        names |= {alias: canonical for alias, canonical in table.items() if len(alias) > 3}
    return names


@cache
def _canonical() -> dict[str, str]:
    """The groups' and organisations' canonical names (as events carry them), by their
    lower case: some are no alias of their own ("Reliance" for "Reliance Industries")."""
    from extractors.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    names = {*gazetteer.groups.values(), *gazetteer.orgs.values()}
    return {name.lower(): name for name in names}


def _with_code(name: str) -> str:
    return f"{name} ({_country_names()[name]})"


# refusals ---------------------------------------------------------------------


def _nearest(value: str, choices: list[str]) -> list[str]:
    """The closest choices, compared without case (difflib)."""
    lowered: dict[str, str] = {}
    for choice in choices:
        lowered.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(value.lower(), list(lowered), n=NEAREST, cutoff=0.75)
    return [lowered[c] for c in close]


def _refuse(
    field: str,
    value: str,
    choices: list[str] | tuple[str, ...],
    hint: str = "",
    shown: Callable[[str], str] = str,
) -> list[str]:
    """Raise the `FilterValueError` of an unknown value: the nearest choices, or all of
    them when there are few."""
    name = NAMES[field]
    nearest = _nearest(value, list(choices))
    listing = f"`econsec values {name}` or /api/values/{name} lists those in the store"
    if nearest:
        suggestions = " or ".join(dict.fromkeys(shown(n) for n in nearest))
        message = f"unknown; did you mean {suggestions}? ({hint or listing})"
    elif len(choices) <= SHORT_LIST:
        message = f"unknown; use one of {', '.join(choices)}"
    else:
        message = f"unknown ({hint or listing})"
    raise FilterValueError(name, value, message, [shown(n) for n in nearest])


NORMALISERS: dict[str, Callable[[str], list[str]]] = {
    "types": _types,
    "categories": _categories,
    "technologies": _technologies,
    "statuses": _statuses,
    "countries": _countries,
    "initiators": _initiators,
    "outlets": _outlets,
}
