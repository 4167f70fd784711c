"""Hourly ingestion: fetch every feed (one mapped task each), tag, index, announce.

Thin by design: each task calls one `econsec.orchestration.ingest` function and
passes ids and counts through XCom. The task code is imported inside each task:
at parse time this file reads only names (`econsec.orchestration.names`), so
that the dag-processor and every task process parse it in milliseconds.
`params.store` / `params.feeds` override the ECONSEC_STORE / ECONSEC_FEEDS
settings for one run.

A run triggered by hand or through the REST API (`econsec submit`, pushed feeds:
`econsec.orchestration.trigger`) may be limited: `params.only_feeds` names feeds
of the feeds file (an unknown name fails the run at once, in `list_feeds`), and
`params.urls` lists feed or article URLs to read besides. Article ids come from
the canonical URL as in the hourly run, so the hourly run adds no copy of what a
limited run took in.

A feed that still fails after its retries fails its own `fetch` instance, named
after the feed in the grid, and nothing else: `tag` runs once every fetch is done
and the feeds file was read (`all_done_min_one_success`, with `list_feeds` among
its upstreams) and carries the failed feeds' results into the cycle record. The
run's state is that of `announce`, its only leaf: failed when the feeds file
could not be read or no feed could, success otherwise. Every `fetch` takes a
slot of the `econsec_feeds` pool, which bounds concurrent fetches across workers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

from econsec.orchestration.assets import EVENTS
from econsec.orchestration.names import FEEDS_POOL, INGEST_DAG_ID, ONLY_FEEDS_PARAM, URLS_PARAM


@dag(
    dag_id=INGEST_DAG_ID,
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["econsec", "ingest"],
    default_args={
        "owner": "econsec",
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
    },
    params={
        "store": Param(None, type=["null", "string"], description="Store path or URL"),
        "feeds": Param(None, type=["null", "string"], description="Feeds YAML file"),
        ONLY_FEEDS_PARAM: Param(
            None,
            type=["null", "array"],
            items={"type": "string", "minLength": 1},
            description="Only these feeds of the feeds file (names)",
        ),
        URLS_PARAM: Param(
            None,
            type=["null", "array"],
            items={"type": "string", "pattern": "^https?://"},
            description="Feed or article URLs to read (http or https)",
        ),
    },
    doc_md=__doc__,
)
def econsec_ingest() -> None:
    @task
    def list_feeds() -> list[dict[str, Any]]:
        """A broken feeds file or an unknown feed name is permanent: fail at once, without
        retries."""
        from econsec.errors import ConfigError
        from econsec.orchestration import ingest

        try:
            return ingest.list_feeds(get_current_context()["params"])
        except ConfigError as exc:
            raise AirflowFailException(str(exc)) from exc

    @task(
        retries=3,
        retry_delay=timedelta(seconds=30),
        max_active_tis_per_dagrun=8,
        pool=FEEDS_POOL,
        map_index_template="{{ feed_name }}",
    )
    def fetch(feed: dict[str, Any]) -> dict[str, Any]:
        """A failed feed hands its result on (for the cycle record), then fails this task."""
        from econsec.orchestration import ingest

        context = get_current_context()
        context["feed_name"] = feed["name"]  # type: ignore[typeddict-unknown-key]
        result = ingest.fetch(feed, context["params"])
        if result["status"] != "failed":
            return result
        ti = context["ti"]
        if result["transient"] and ti.try_number <= ti.max_tries:
            raise AirflowException(f"{result['feed']}: {result['error']} (will retry)")
        ti.xcom_push(key="return_value", value=result)
        raise AirflowFailException(f"{result['feed']}: {result['error']}")

    @task(trigger_rule="all_done_min_one_success")
    def tag(fetched: list[dict[str, Any]]) -> dict[str, Any]:
        """Runs even when every feed failed (`list_feeds` is the success it needs), not when
        the feeds file could not be read; carries the feeds' results on to the cycle record."""
        from econsec.orchestration import ingest

        report = ingest.tag(get_current_context()["params"])
        return {"tagging": report, "feeds": [f for f in fetched if f]}

    @task
    def index(tagged: dict[str, Any]) -> dict[str, Any]:
        from econsec.orchestration import ingest

        return ingest.index(get_current_context()["params"])

    @task(outlets=[EVENTS])
    def announce(tagged: dict[str, Any], indexed: dict[str, Any]) -> dict[str, Any]:
        """Records the cycle; emits the Asset only when new events reached the index."""
        from econsec.orchestration import ingest

        context = get_current_context()
        run = context["dag_run"]
        summary = ingest.record_cycle(
            context["params"],
            run.run_id,
            run.start_date or datetime.now(UTC),
            tagged["feeds"],
            tagged["tagging"],
            indexed,
        )
        context["ti"].xcom_push(key="return_value", value=summary)  # read by `submit --wait`
        if summary["no_feed_read"]:  # recorded first, so `econsec status` shows the cycle
            raise AirflowFailException(f"no feed could be read ({summary['feeds_failed']} failed)")
        if not indexed["events_indexed"]:
            raise AirflowSkipException("no new events: nothing to announce")
        extra = ingest.event_extra(context["params"], run.run_id, summary)
        context["outlet_events"][EVENTS].extra = extra
        return summary

    feeds = list_feeds()
    tagged = tag(fetch.expand(feed=feeds))
    feeds >> tagged
    indexed = index(tagged)
    # The run succeeds only if the feeds file was read, whatever single feeds did.
    feeds >> announce(tagged, indexed)


econsec_ingest()
