"""One exception hierarchy for the whole project.

    EconsecError
    ├── ConfigError            a setting or a config file is wrong (names the file and field)
    │   └── ConfigErrors       several of them, each kept (`problems`), one a line
    ├── FeedError              a feed could not be fetched or parsed (names the feed)
    │   ├── FeedFetchError     network, HTTP status, size or time cap
    │   │   └── TransientFeedError   worth retrying later (timeouts, 429, 5xx)
    │   └── FeedParseError     the body is not a feed we can read
    ├── UnsafeAddressError     a feed URL or redirect leads where feeds may not go (names it)
    ├── StoreError             the store failed (names the store or index)
    │   └── StoreBusyError     another process holds the index writer
    ├── QueryError             a search query does not parse
    ├── FilterValueError       a search filter's value could never match (names the filter,
    │                          the value and the nearest valid ones; also a ValueError)
    ├── DagRunError            an Airflow run of `econsec run` failed (names its log)
    ├── TriggerError           Airflow would not start an ingest run: DAG missing or paused,
    │   │                      the run refused (names the Airflow URL and the DAG)
    │   ├── TriggerAuthError   the token, or the user and password, were refused
    │   └── TransientTriggerError   Airflow could not be reached or failed (refused
    │                          connection, timeout, 5xx): worth retrying
    ├── DataFileError          a tagger data file is malformed (extractors.resources;
    │                          also a ValueError)
    └── TaxonomyError          the taxonomy file is malformed (extractors.taxonomy;
                               also a ValueError)

Errors carry the thing they concern so that a message alone tells an
operator where to look.
"""

from __future__ import annotations

from pathlib import Path


class EconsecError(Exception):
    """Base of every error econsec raises on purpose."""


class ConfigError(EconsecError):
    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        self.file = file
        self.field = field
        where = ": ".join(part for part in (file, field) if part)
        super().__init__(f"{where}: {message}" if where else message)


class ConfigErrors(ConfigError):
    """Every problem found, not only the first: one fix-and-rerun per problem wastes
    an analyst's afternoon. Named by the first; its text has one problem a line."""

    def __init__(self, problems: list[ConfigError]):
        self.problems = [p for problem in problems for p in _each(problem)]
        first = self.problems[0]
        self.file, self.field = first.file, first.field
        EconsecError.__init__(self, "\n".join(str(p) for p in self.problems))


def _each(error: ConfigError) -> list[ConfigError]:
    return error.problems if isinstance(error, ConfigErrors) else [error]


class FeedError(EconsecError):
    def __init__(self, feed: str, message: str):
        self.feed = feed
        self.reason = message
        super().__init__(f"feed {feed!r}: {message}")


class FeedFetchError(FeedError):
    pass


class TransientFeedError(FeedFetchError):
    pass


class FeedParseError(FeedError):
    pass


class UnsafeAddressError(EconsecError):
    def __init__(self, message: str, url: str | None = None):
        self.url = url
        super().__init__(message)


class StoreError(EconsecError):
    def __init__(self, store: str, message: str):
        self.store = store
        super().__init__(f"store {store}: {message}")


class StoreBusyError(StoreError):
    pass


class QueryError(EconsecError):
    def __init__(self, query: str, message: str):
        self.query = query
        super().__init__(f"query {query!r}: {message}")


class FilterValueError(ValueError, EconsecError):
    """A filter value no event can have (`--tech semiconductor`): refused, since searching
    for it would answer "0 events" as if nothing had happened."""

    def __init__(self, name: str, value: str, message: str, nearest: list[str] | None = None):
        self.name = name
        self.value = value
        self.nearest = nearest or []
        super().__init__(f"{name} {value!r}: {message}")


class DagRunError(EconsecError):
    def __init__(self, message: str, log: Path):
        self.log = log
        super().__init__(f"{message} (Airflow log: {log})")


class TriggerError(EconsecError):
    def __init__(self, airflow: str, dag_id: str, message: str):
        self.airflow = airflow
        self.dag_id = dag_id
        super().__init__(f"Airflow {airflow}, DAG {dag_id}: {message}")


class TriggerAuthError(TriggerError):
    pass


class TransientTriggerError(TriggerError):
    pass
