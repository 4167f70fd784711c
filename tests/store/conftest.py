"""The store suite runs on every backend (`backend`, `store`); the fault tests reuse one
clean run of the sample feeds (`feeds`, `clean`)."""

from tests.support.backends import backend, store  # noqa: F401 (fixtures)
from tests.support.faults import clean, feeds  # noqa: F401 (fixtures)
