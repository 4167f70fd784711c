"""What the DAG files need at parse time, and nothing else.

Airflow parses a DAG file in the dag-processor and again in every task process it starts; a
DAG file that imported the ingest or alert code at module level pulled in feedparser, pydantic,
numpy, scipy and datasketch (about 700 modules, seconds of CPU per parse) and timed out under a
real scheduler. So the DAG files import only this module and the asset below at parse time, and
the task code inside each task.
"""

from __future__ import annotations

INGEST_DAG_ID = "econsec_ingest"
ALERTS_DAG_ID = "econsec_alerts"
EVENTS_ASSET_NAME = "econsec_events"
EVENTS_ASSET_URI = "econsec://events/"
EVENTS_ASSET_EXTRA = {"what": "econsec events index"}
FEEDS_POOL = "econsec_feeds"
"""The Airflow pool every `fetch` task takes a slot of: it bounds the feeds fetched at once
across all workers (lock files bound them per machine only)."""
FEEDS_POOL_SLOTS = 4
"""The slots `econsec run` gives the pool when it creates it; operators size it themselves."""
ALERTS_CRON = "30 * * * *"
"""The alerts DAG also runs at half past every hour, between ingest cycles, so digests and
delivery retries do not wait for a cycle that produces events."""
ONLY_FEEDS_PARAM = "only_feeds"
"""The ingest DAG's param naming the feeds (of the feeds file) a run is limited to."""
URLS_PARAM = "urls"
"""The ingest DAG's param listing feed or article URLs a run reads besides (or instead)."""
