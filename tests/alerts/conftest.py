"""The alert suite runs on the embedded store and on osmem-server (`store`, `state`)."""

from tests.support.alerts import alert_backend, receiver, state, store  # noqa: F401 (fixtures)
