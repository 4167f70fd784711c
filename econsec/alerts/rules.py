"""Alert rules: one YAML file per rule, validated against a schema.

Every error names the file and the field (`rules/huawei.yaml: condition.window:
...`), so an analyst fixes a rule without reading code. Unknown keys are
errors, because a misspelt option silently ignored is a rule that never fires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
)

from econsec.alerts.conditions import Condition, FieldName, parse_duration
from econsec.errors import ConfigError, ConfigErrors, QueryError
from econsec.models import Digest, SearchQuery, Status, check_query_size
from econsec.store.hits import EventHit

if TYPE_CHECKING:
    from econsec.store.protocols import Store

RULE_SUFFIXES = (".yaml", ".yml")
GROUP_FIELDS = get_args(FieldName)
TIME_OF_DAY = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")
CONDITION_TYPES = ("any", "frequency", "spike", "new_value", "cardinality", "flatline")


def _taxonomy() -> dict[str, set[str]]:
    from extractors.taxonomy import CATEGORIES, CODES, TECHNOLOGIES

    return {"types": set(CODES), "categories": set(CATEGORIES), "technologies": set(TECHNOLOGIES)}


class Filters(BaseModel):
    """Structured filters; a list means "any of these"; all given filters must hold."""

    model_config = ConfigDict(extra="forbid")

    types: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    initiator: list[str] = Field(default_factory=list)
    target: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    technologies: list[str] = Field(default_factory=list)
    status: list[Status] = Field(default_factory=list)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)

    @field_validator("types", "technologies", "countries", "initiator", "target", mode="before")
    @classmethod
    def _as_people_write_them(cls, values: Any, info: Any) -> Any:
        """Read as a search reads them (`econsec.vocabulary`): `China` or `Chinese` is CN,
        `semiconductor` is semiconductors, a category among `types` is its every type; a
        typo is refused with the nearest values, where it would match nothing for ever."""
        from econsec.vocabulary import normalise

        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return values  # the type check that follows names the problem
        field = {"initiator": "initiators", "target": "initiators"}.get(info.field_name)
        return normalise(field or info.field_name, [v.strip() for v in values if v.strip()])

    @field_validator("types", "categories", "technologies")
    @classmethod
    def _known_codes(cls, values: list[str], info: Any) -> list[str]:
        """A code not in the taxonomy would match nothing, for ever: refuse it."""
        unknown = sorted(set(values) - _taxonomy()[info.field_name])
        if unknown:
            raise ValueError(f"not in the taxonomy: {', '.join(unknown)} (see `econsec taxonomy`)")
        return values

    @field_validator("countries")
    @classmethod
    def _country_codes(cls, values: list[str]) -> list[str]:
        """Events carry ISO codes (and EU); a country name would match nothing, for ever."""
        import pycountry

        unknown = [v for v in values if v != "EU" and not pycountry.countries.get(alpha_2=v)]
        if unknown:
            raise ValueError(f"not ISO 3166 alpha-2 codes: {', '.join(unknown)} (use CN, DE, EU …)")
        return values

    def accepts(self, event: EventHit) -> bool:
        """The filters the search model has no field for, applied to a hit."""
        for name in ("initiator", "target"):
            wanted = getattr(self, name)
            if wanted and not set(wanted) & set(event.values(name)):
                return False
        return event.confidence >= self.min_confidence


Duration = Annotated[timedelta, Field(description="30m (minutes), 6h, 7d, 2w, 6mo or 1y")]


class Rule(BaseModel):
    """One alert rule, as written in its YAML file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    query: str = "*"
    filters: Filters = Filters()
    condition: Condition
    group_by: FieldName | list[FieldName] | Literal["none"] | None = None
    realert: Duration = timedelta(days=7)
    digest: Digest = "immediate"
    digest_at: time | None = None  # local time of a daily digest, in `timezone`
    timezone: str = "UTC"  # an IANA name: where digests' hours and days begin and end
    notify: list[str] = Field(default_factory=list)
    enabled: bool = True
    path: Path | None = Field(None, exclude=True)  # set by `load_rule`, not by the file

    @field_validator("group_by", mode="before")
    @classmethod
    def _fields(cls, value: Any) -> Any:
        """A field, or a list grouping on every combination of its fields' values (each
        field once); one message for any wrong name rather than one per union member."""
        if value is None or value == "none":
            return value
        names = value if isinstance(value, list) else [value]
        if not names:
            raise ValueError("an empty list: name a field, or write none")
        unknown = [str(name) for name in names if name not in GROUP_FIELDS]
        if unknown:
            raise ValueError(
                f"not a field to group on: {', '.join(unknown)} "
                f"(use {', '.join(GROUP_FIELDS)}, a list of them, or none)"
            )
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"a field named twice: {', '.join(repeated)}")
        return value

    @field_validator("digest_at", mode="before")
    @classmethod
    def _time_of_day(cls, value: Any) -> Any:
        """`"08:00"`. Unquoted, YAML reads 18:00 as the number 1080 (base 60): refused
        with the quoted form to write, rather than guessed at."""
        if value is None or isinstance(value, time):
            return value
        if isinstance(value, int) and 0 <= value < 24 * 60:  # YAML's base-60 number
            hour, minute = divmod(value, 60)
            raise ValueError(
                f"YAML reads {hour}:{minute:02d} unquoted as the number {value}: "
                f"write it in quotes, '{hour:02d}:{minute:02d}'"
            )
        found = TIME_OF_DAY.match(value) if isinstance(value, str) else None
        if not found:
            raise ValueError(f"not a time of day: {value!r} (HH:MM in quotes, as '08:00')")
        return time(int(found.group(1)), int(found.group(2)))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_serializer("digest_at")
    def _clock(self, value: time | None) -> str | None:
        return value.strftime("%H:%M") if value else None

    @field_validator("realert", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator("query")
    @classmethod
    def _query_size(cls, query: str) -> str:
        """Refused before any parser sees it: a query nested too deep kills the process."""
        try:
            check_query_size(query)
        except QueryError as exc:
            raise ValueError(str(exc)) from exc
        return query

    @field_validator("notify")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        from econsec.alerts.notify import check_url
        from econsec.bidi import refusal

        for number, url in enumerate(urls, start=1):
            problem = refusal(url)  # named, never shown: the terminal would reorder it
            if problem:
                raise ValueError(f"URL {number} {problem}")
            check_url(url)
        return urls

    @field_serializer("notify")
    def _shown(self, urls: list[str]) -> list[str]:
        """Wherever a rule is shown (`alerts list --json`), its URLs' credentials are not."""
        from econsec.alerts.notify import redact

        return [redact(url) for url in urls]

    @property
    def group_fields(self) -> tuple[str, ...]:
        """The fields alerts are grouped on, the condition's default unless the rule says;
        none: one group (`all`)."""
        if self.group_by == "none":
            return ()
        if isinstance(self.group_by, list):
            return tuple(self.group_by)
        chosen = self.group_by or self.condition.default_group_by
        return (chosen,) if chosen else ()

    @property
    def grouping(self) -> str | None:
        """The grouping as people read it (`initiator, type`), or None."""
        return ", ".join(self.group_fields) or None

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def conflicts(self) -> list[tuple[str, str]]:
        """Options that are valid alone but not together, as (field, message): checked
        after the schema, so that each error still names its field."""
        found = []
        if self.digest_at is not None and self.digest != "daily":
            found.append(("digest_at", f"only a daily digest has a time (digest: {self.digest})"))
        if self.timezone != "UTC" and self.digest == "immediate":
            found.append(("timezone", "only digests (hourly, daily) have a time zone"))
        counted = getattr(self.condition, "field", None)
        per_story = {"story_id", "cluster_id"} & set(self.group_fields)
        if self.condition.type == "flatline" and per_story:
            found.append(
                (
                    "group_by",
                    f"every story goes quiet once reported ({', '.join(sorted(per_story))}): "
                    "group a flatline on feed, source, category, type or a country field",
                )
            )
        if self.condition.type == "cardinality" and counted in self.group_fields:
            found.append(
                ("group_by", f"groups by the field the condition counts ({counted}): one a group")
            )
        return found

    def group_label(self, value: str) -> str:
        """An alert group as people name it (`CN`, or `CN,export_control.ban` on two
        fields) in the form alerts carry it (`initiator=CN,type=export_control.ban`); a
        label given whole is kept."""
        names = self.group_fields
        where = str(self.path or "")
        if not names:
            raise ConfigError("the rule is not grouped: silence the whole rule", file=where)
        if value.startswith(f"{names[0]}="):
            return value
        parts = value.split(",") if len(names) > 1 else [value]
        if len(parts) != len(names):
            raise ConfigError(
                f"the rule groups on {', '.join(names)}: give one value each, comma-separated",
                file=where,
            )
        return ",".join(f"{n}={v.strip()}" for n, v in zip(names, parts, strict=True))

    def search_query(self, **window: Any) -> SearchQuery:
        """The rule as the search model both backends speak (one page of it)."""
        f = self.filters
        return SearchQuery(
            q=self.query or "*",
            types=f.types,
            categories=f.categories,
            countries=f.countries,
            technologies=f.technologies,
            statuses=list(f.status),
            min_confidence=f.min_confidence,
            collapse=False,
            **window,
        )

    def events(self, store: Store, **window: Any) -> list[EventHit]:
        """Every event of the rule in a window (published and/or indexed), newest first:
        the store's `scan` reads them all, whatever its paging limits, and the filters the
        search model has no field for are applied here."""
        return [hit for hit in store.scan(self.search_query(**window)) if self.filters.accepts(hit)]

    def history(
        self, store: Store, since: datetime | None, until: datetime | None
    ) -> list[EventHit]:
        """The rule's events published in [since, until], for conditions that look back."""
        return self.events(store, since=since, until=until)


def zone(name: str) -> ZoneInfo:
    """A time zone by its IANA name; a ValueError that says what to write otherwise."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"not a time zone: {name!r} (an IANA name such as Europe/Berlin, or UTC)"
        ) from None


def load_rule(path: Path, store: Store | None = None) -> Rule:
    """One rule file; a `ConfigError` names the file and the field (a `ConfigErrors` when
    there are several, each kept). With the `store` that will run it, its query is
    checked by that backend's parser: a query that does not parse would fail every run,
    so it is refused when the rule loads."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read rule: {exc}", file=str(path)) from exc
    if not isinstance(data, dict):
        raise ConfigError("a rule file holds one mapping of options", file=str(path))
    problems: list[ConfigError] = []
    rule = None
    try:
        rule = Rule.model_validate({k: v for k, v in data.items() if k != "path"})
    except ValidationError as exc:
        problems += [ConfigError(m, file=str(path), field=f) for f, m in _problems(exc)]
    if "path" in data:
        problems.append(ConfigError("unknown option", file=str(path), field="path"))
    if rule is not None:
        problems += [ConfigError(m, file=str(path), field=f) for f, m in rule.conflicts()]
    query = data.get("query", "*")
    if store is not None and isinstance(query, str) and all(p.field != "query" for p in problems):
        try:
            store.check_query(query or "*")
        except QueryError as exc:
            problems.append(ConfigError(str(exc), file=str(path), field="query"))
    if problems or rule is None:
        raise problems[0] if len(problems) == 1 else ConfigErrors(problems)
    rule.path = path
    return rule


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    """Every error's dotted field (without pydantic's union tags) and a plain message."""
    found = []
    for error in exc.errors():
        parts = [str(p) for p in error["loc"]]
        if len(parts) > 1 and parts[0] == "condition" and parts[1] in CONDITION_TYPES:
            del parts[1]
        message = {"extra_forbidden": "unknown option", "missing": "required"}.get(
            error["type"], error["msg"].removeprefix("Value error, ")
        )
        if error["type"] == "union_tag_invalid":
            message = f"unknown condition type; use one of {', '.join(CONDITION_TYPES)}"
        found.append((".".join(parts), message))
    return found


def rule_files(place: Path) -> list[Path]:
    """The rule files of a folder, or the one file named."""
    if place.is_file():
        return [place]
    if not place.is_dir():
        raise ConfigError("rules folder not found", file=str(place))
    return sorted(p for p in place.iterdir() if p.suffix in RULE_SUFFIXES and p.is_file())


@dataclass
class RuleSet:
    """The good rules of a folder and an error for each bad file: one bad file must not
    stop the others from running (as a malformed feed keeps its good items)."""

    rules: list[Rule] = field(default_factory=list)
    errors: list[ConfigError] = field(default_factory=list)


def read_rules(place: Path, store: Store | None = None) -> RuleSet:
    """Every rule of a folder (or the one file), enabled or not, and every error of every
    bad file; a rule whose name an earlier file took is an error; queries are checked by
    `store` when given (see `load_rule`)."""
    found = RuleSet()
    seen: dict[str, Path] = {}
    for path in rule_files(place):
        try:
            rule = load_rule(path, store)
        except ConfigError as exc:
            found.errors.append(exc)
            continue
        if rule.name in seen:
            found.errors.append(
                ConfigError(
                    f"name {rule.name!r} is also used by {seen[rule.name]}",
                    file=str(path),
                    field="name",
                )
            )
            continue
        seen[rule.name] = path
        found.rules.append(rule)
    return found


def load_rules(folder: Path, store: Store | None = None) -> list[Rule]:
    """Every rule of a folder, or a `ConfigError` (every problem of every bad file)."""
    found = read_rules(folder, store)
    if found.errors:
        raise found.errors[0] if len(found.errors) == 1 else ConfigErrors(found.errors)
    return found.rules


def find_rule(folder: Path, wanted: str, store: Store | None = None) -> Rule:
    """A rule by name, by file name without suffix, or by path; other files' errors do
    not hide it, its own do."""
    if Path(wanted).is_file():
        return load_rule(Path(wanted), store)
    found = read_rules(folder, store)
    for rule in found.rules:
        if wanted in (rule.name, rule.path.stem if rule.path else None):
            return rule
    for error in found.errors:
        if error.file and Path(error.file).stem == wanted:
            raise error
    raise ConfigError(f"no rule named {wanted!r}", file=str(folder))
