"""The CLI suite delivers to a real webhook receiver on loopback (`receiver`)."""

from tests.support.alerts import receiver  # noqa: F401 (fixture)
