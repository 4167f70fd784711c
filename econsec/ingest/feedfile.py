"""The feeds file: which feeds a cycle reads, each a `FeedSpec`; a broken file is a
`ConfigError` naming the file and the field."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml
from pydantic import ValidationError

from econsec.bidi import CONTROLS, REORDERING, refusal
from econsec.errors import ConfigError
from econsec.models import FeedSpec


def load_feeds(path: str | Path) -> list[FeedSpec]:
    """Feeds of a YAML file; relative local URLs resolve against the file's folder."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("feeds file not found", file=str(path)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", file=str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
        raise ConfigError(
            "expected a mapping with a list under 'feeds'", file=str(path), field="feeds"
        )
    specs: list[FeedSpec] = []
    for index, entry in enumerate(data["feeds"]):
        specs.append(_feed_spec(entry, path, index))
    _check_unique_names(specs, path)
    return specs


def _feed_spec(entry: Any, path: Path, index: int) -> FeedSpec:
    try:
        spec = FeedSpec.model_validate(entry)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(err["msg"], file=str(path), field=f"feeds[{index}].{where}") from exc
    invisible = _invisible(spec)
    if invisible:
        name, problem = invisible
        raise ConfigError(problem, file=str(path), field=f"feeds[{index}].{name}")
    if spec.push and not is_remote(spec.url):
        raise ConfigError(
            "push needs an http(s) feed URL: a hub announces only what is published online",
            file=str(path),
            field=f"feeds[{index}].push",
        )
    if not is_remote(spec.url) and not spec.url.startswith("file://"):
        spec.url = str((path.parent / spec.url).resolve())
    return spec


def _invisible(spec: FeedSpec) -> tuple[str, str] | None:
    """The first field holding a bidirectional control, and why it is refused: the name
    and URL may hold none (`econsec.bidi`), the title (shown as the articles' source) no
    control that reorders it."""
    for name, controls in (("name", CONTROLS), ("url", CONTROLS), ("title", REORDERING)):
        problem = refusal(getattr(spec, name), controls)
        if problem:
            return name, problem
    return None


def _check_unique_names(specs: list[FeedSpec], path: Path) -> None:
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if spec.name in seen:
            raise ConfigError(
                f"duplicate feed name {spec.name!r}", file=str(path), field=f"feeds[{index}].name"
            )
        seen.add(spec.name)


def official_countries(specs: Iterable[FeedSpec]) -> dict[str, str]:
    """Feed name -> country for the official feeds that declare one (the fallback
    initiator of their events)."""
    return {s.name: s.country.upper() for s in specs if s.official and s.country}


def official_countries_of(path: str | Path) -> dict[str, str]:
    """As `official_countries`, from a feeds file; a missing or broken file gives none
    (tagging goes on without the fallback; `ingest` reports the file itself)."""
    try:
        return official_countries(load_feeds(path))
    except ConfigError:
        return {}


def spec_for(path_or_url: str) -> FeedSpec:
    """A feed named after its file or host, for `ingest --feed`."""
    problem = refusal(path_or_url)
    if problem:
        raise ConfigError(problem, field="--feed")
    if is_remote(path_or_url):
        parsed = urlparse(path_or_url)
        name = (parsed.netloc + parsed.path).strip("/").replace("/", "-")
        return FeedSpec(name=name or path_or_url, url=path_or_url)
    path = Path(path_or_url.removeprefix("file://")).resolve()
    return FeedSpec(name=path.stem, url=str(path))


def limited(
    specs: list[FeedSpec], names: Sequence[str] = (), urls: Sequence[str] = ()
) -> list[FeedSpec]:
    """The feeds a run limited to `names` and `urls` reads: the listed feeds named (an
    unknown name is a `ConfigError` naming the nearest), then for each URL the listed feed
    with that URL, else the URL as submitted (`submitted_spec`). Neither: every feed."""
    if not names and not urls:
        return specs
    by_name = {spec.name: spec for spec in specs}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ConfigError(_unknown_feeds(unknown, sorted(by_name)), field="only_feeds")
    chosen = {name: by_name[name] for name in names}
    by_url = {spec.url: spec for spec in specs}
    for url in urls:
        spec = by_url.get(url.strip()) or submitted_spec(url)
        chosen.setdefault(spec.name, spec)
    return list(chosen.values())


def _unknown_feeds(unknown: list[str], known: list[str]) -> str:
    near = {n: difflib.get_close_matches(n, known, n=1) for n in unknown}
    hints = [f"{n!r} (did you mean {m[0]!r}?)" if m else repr(n) for n, m in near.items()]
    listed = ", ".join(known) if len(known) <= 20 else f"{len(known)} feeds"
    return f"unknown feed {', '.join(hints)}; the feeds file has {listed or 'none'}"


def submitted_spec(url: str) -> FeedSpec:
    """A URL submitted for one run: http(s) only (a run's conf must not read local files),
    named as `spec_for` names it, read as a feed or else as an article page."""
    if not is_remote(url.strip()):
        raise ConfigError(f"only http(s) URLs can be submitted, not {url!r}", field="urls")
    return spec_for(url.strip()).model_copy(update={"submitted": True})


def is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://"))
