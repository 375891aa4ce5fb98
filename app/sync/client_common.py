"""What the laptop's sync modules share (app/sync/client.py and the push, pull and
snapshot steps it runs): the cursor's key, the report of a refused change, and how an
answer of the siège is refused."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from app.sync.transport import SyncError

log = logging.getLogger("app.sync.client")

CURSOR_KEY = "pull_cursor"
FaultHook = Callable[[str], None]


@dataclass(frozen=True)
class RefusedChange:
    """A local change the siège refused: kept as a conflict to review, reported."""

    table: str
    row_id: str
    reason: str
    fields: tuple[str, ...]


def bad_answer(reason: str, status: int = 200) -> SyncError:
    log.warning("answer of the siège refused: %s", reason)
    return SyncError("bad_response", reason=reason[:200], status=status)
