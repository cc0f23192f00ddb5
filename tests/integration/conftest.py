"""Fixtures shared by the integration tests."""
from tests.support.local_engine import engine_api  # noqa: F401  (the local engine behind the in-process API)
