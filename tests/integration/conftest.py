"""Integration fixtures shared across areas' test modules."""

from tests.sync_support.fixtures import pg_siege_url, siege  # noqa: F401  (sync/siège tests)
