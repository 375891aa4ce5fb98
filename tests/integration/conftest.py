"""Integration fixtures shared across areas' test modules."""

from tests.pa_simulator.fixtures import (  # noqa: F401  (e-invoicing tests)
    siege_engine,
    sim,
    sim_url,
)
from tests.sync_support.fixtures import (  # noqa: F401  (sync/siège tests)
    pg_siege_url,
    siege,
    siege_process,
    sqlite_siege_template,
)
