"""Pulling pages of changes (CouchDB checkpoints, Anki's update sequence numbers,
docs/architecture.md §6): each page is applied in the same local transaction as its
cursor, so a crash resumes at the last whole page. A first sync starts from a snapshot
of the device's scope (app/sync/snapshot.py) and goes on from its cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sync import evict, pulled, snapshot
from app.sync.apply import apply_rows, get_state, relaxed_links, set_state, store_conflicts
from app.sync.client_common import CURSOR_KEY, bad_answer, log
from app.sync.transport import SyncError, json_body, request

if TYPE_CHECKING:
    from app.jobs import JobControl
    from app.sync.client import SyncClient

# However large the siège, a sync that needs more pages than this is not a sync.
MAX_PULL_PAGES = 100_000


def pull(client: SyncClient, job: JobControl | None = None) -> tuple[int, int]:
    """Fetch and apply pages after the saved cursor; returns (rows, conflicts). Then,
    if the siège's scope epoch moved, evict what left this device's scope."""
    pulled_rows = conflicts = 0
    last_seq = 0
    with client.engine.connect() as conn:
        first_sync = int(get_state(conn, CURSOR_KEY, "0")) == 0
    if first_sync and client.snapshot:
        # A new laptop starts from a snapshot of its scope (app/sync/snapshot.py).
        done = snapshot.run(client, job)
        if done is not None:
            pulled_rows, conflicts = done
    with client.engine.connect() as conn:
        started = int(get_state(conn, CURSOR_KEY, "0"))
        held_epoch = get_state(conn, evict.EPOCH_KEY, "")
    first_epoch: int | None = None
    for _page in range(MAX_PULL_PAGES):
        with client.engine.connect() as conn:
            cursor = int(get_state(conn, CURSOR_KEY, "0"))
        response = request(
            client.http, "GET", "/changes", params={"after": cursor, "limit": client.page_size}
        )
        body = json_body(response)
        if response.status_code != 200:
            raise SyncError("bad_response", status=response.status_code)
        if _siege_behind(client, body, cursor):
            continue
        try:
            page = pulled.check_page(body, cursor, client.page_size, last_seq)
            epoch = evict.page_epoch(body)
        except (pulled.PullRefused, evict.KeysRefused) as exc:
            raise bad_answer(exc.reason) from None
        first_epoch = epoch if first_epoch is None else first_epoch
        last_seq = page.last_seq
        _apply_page(client, page)
        pulled_rows += len(page.rows)
        conflicts += len(page.conflicts)
        if job is not None:
            job.progress(page.next_cursor, page.last_seq, "pull")
        if not page.has_more:
            if started == 0 and held_epoch == "":
                # A first sync receives its scope only: nothing to evict, and every
                # change after the first page's epoch has been applied.
                with client.engine.begin() as conn:
                    set_state(conn, evict.EPOCH_KEY, str(first_epoch))
            elif str(epoch) != held_epoch:
                client.evict_outside_scope()
            return pulled_rows, conflicts
    raise bad_answer(f"more than {MAX_PULL_PAGES} pages")


def _siege_behind(client: SyncClient, body: dict[str, Any], cursor: int) -> bool:
    """A siège whose last sequence number is below this laptop's cursor was restored
    from an older backup (docs/sync.md, "Tokens"): this laptop reads everything
    again from the start, so it ends with what the siège holds now (its own waiting
    changes stay in the outbox and are sent as usual)."""
    top = body.get("last_seq")
    if isinstance(top, bool) or not isinstance(top, int) or not 0 <= top < cursor:
        return False
    if client.restarted:
        raise bad_answer(f"last_seq {top} below cursor {cursor} again")
    log.warning("siège behind this laptop (last_seq %d < cursor %d): read again", top, cursor)
    client.restarted = True
    with client.engine.begin() as conn:
        set_state(conn, CURSOR_KEY, "0")
    return True


def _apply_page(client: SyncClient, page: pulled.Page) -> None:
    with relaxed_links(client.engine) as conn:
        rows, refused = pulled.screen(conn, page.rows, client.server_ms)
        client.record_pull_refusals(conn, refused)
        apply_rows(conn, rows)
        store_conflicts(conn, page.conflicts)
        client.fault("page_applied")
        set_state(conn, CURSOR_KEY, str(page.next_cursor))
    if client.capture is not None and client.capture.clock is not None:
        for row in rows:
            for stamp in row.clocks.values():
                client.capture.clock.observe(stamp)
