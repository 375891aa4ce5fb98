"""The end checks of the sync state machines (tests/integration/test_sync_state_machine.py
and test_sync_restore_machine.py): convergence to each laptop's read scope, newest write
wins, lost free text listed, invoices numbered without a gap and double issues listed."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from hypothesis import event
from sqlalchemy import func, select

from app.models import Invoice, InvoiceLine, OutboxEntry, SyncConflict
from app.sync import service
from siege.scope import SHARED
from siege.tables import conflict as siege_conflict
from tests.integration.test_sync_scope import oracle
from tests.sync_support import Siege, snapshot
from tests.sync_support.machine import Laptop

LWW_TABLES = ["person", "attendance", "activity", "activity_slot"]


class EndChecks:
    """Mixed into the machine: what must hold once every laptop synced twice with no new
    edits. The machine fills the oracle's records as it runs."""

    siege: Siege
    laptops: list[Laptop]
    # Every local edit as it entered an outbox: (table, row, field) -> [(stamp, value, bases)]
    writes: dict[tuple[str, str, str], list[tuple[str, Any, str]]]
    issued_numbers: set[str]
    # (table, row, field, JSON value) of edits refused by the siège.
    rejected: set[tuple[str, str, str, Any]]

    def _check_end(self) -> None:
        server = snapshot(self.siege.engine)
        for laptop in self.laptops:
            with laptop.profile.engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(OutboxEntry)).scalar() == 0
            mine = snapshot(laptop.profile.engine)
            scope = oracle(self.siege, laptop.towns, laptop)  # type: ignore[arg-type]
            expected = {
                table: {i: v for i, v in rows.items() if table in SHARED or (table, i) in scope}
                for table, rows in server.items()
            }
            assert mine == expected, (laptop.name, laptop.towns, _diff(mine, expected))
            event(f"laptop holds part of the siège: {mine != server}")
        self.rejected = self._rejected_values()
        self._note_coverage()
        self._check_newest_write_wins(server)
        self._check_lost_free_text_listed(server)
        self._check_invoices()

    def _note_coverage(self) -> None:
        with self.siege.engine.connect() as conn:
            for kind, count in conn.execute(
                select(siege_conflict.c.kind, func.count()).group_by(siege_conflict.c.kind)
            ):
                event(f"siège conflicts {kind}: {'some' if count else 'none'}")
        rejected = sum(
            1
            for lp in self.laptops
            for c in service.open_conflicts(lp.profile)
            if c.kind == "rejected"
        )
        event(f"rejected changes: {'some' if rejected else 'none'}")

    def _rejected_values(self) -> set[tuple[str, str, str, Any]]:
        """Values of edits the siège refused, kept on their laptop as conflicts."""
        out: set[tuple[str, str, str, Any]] = set()
        for laptop in self.laptops:
            with laptop.profile.engine.connect() as conn:
                for table, row_id, lost, stamp in conn.execute(
                    select(
                        SyncConflict.table_name,
                        SyncConflict.row_id,
                        SyncConflict.lost_value,
                        SyncConflict.lost_hlc,
                    ).where(SyncConflict.kind == "rejected")
                ):
                    out.add((table, row_id, "", None))
                    # By stamp, not by value: two laptops may write the same value (a
                    # move to the same antenne), one refused and the other accepted.
                    for name in json.loads(lost or "{}"):
                        out.add((table, row_id, name, stamp))
        return out

    def _accepted(self, table: str, row_id: str, name: str, writes: list[Any]) -> list[Any]:
        """Writes the siège did not refuse (refused ones are listed on their laptop)."""
        if name in ("updated_at", "created_at") and (table, row_id, "", None) in self.rejected:
            return []  # a refusal lists the fields changed, not the bookkeeping ones
        return [w for w in writes if (table, row_id, name, w[0]) not in self.rejected]

    def _check_newest_write_wins(self, server: dict[str, dict[str, tuple[Any, ...]]]) -> None:
        from app.sync.codec import encode_row

        for (table, row_id, name), logged in self.writes.items():
            if table not in LWW_TABLES or name in ("search_key", "updated_by"):
                continue
            writes = self._accepted(table, row_id, name, logged)
            if not writes:
                continue
            row = self._server_row(table, row_id)
            assert row is not None, (table, row_id)
            newest = max(writes)[1]
            assert encode_row(table, {name: row[name]})[name] == newest, (
                table,
                row_id,
                name,
                sorted(writes),
                self._server_clock(table, row_id, name),
            )

    def _check_lost_free_text_listed(self, server: dict[str, dict[str, tuple[Any, ...]]]) -> None:
        with self.siege.engine.connect() as conn:
            listed = {
                (c.row_id, c.field, c.lost_value)
                for c in conn.execute(
                    select(siege_conflict).where(siege_conflict.c.kind == "field")
                )
            }
        for (table, row_id, name), logged in self.writes.items():
            if (table, name) != ("person", "notes"):
                continue
            writes = self._accepted(table, row_id, name, logged)
            if not writes:
                continue  # every write refused, or lost with a pruned journal (restores)
            server_row = self._server_row(table, row_id)
            assert server_row is not None
            final = server_row[name]
            superseded_knowingly = {base for _s, _v, base in writes}
            for stamp, value, _base in writes:
                if value == final or stamp in superseded_knowingly:
                    continue
                assert (row_id, name, value) in listed, (row_id, value)

    def _check_invoices(self) -> None:
        with self.siege.engine.connect() as conn:
            issued = conn.execute(
                select(Invoice.series_id, Invoice.sequence, Invoice.number).where(
                    Invoice.status == "emise"
                )
            ).all()
            forks = conn.execute(
                select(func.count())
                .select_from(siege_conflict)
                .where(siege_conflict.c.kind == "invoice_double_issue")
            ).scalar_one()
        with self.siege.engine.connect() as conn:
            bare = conn.execute(
                select(Invoice.number).where(
                    Invoice.status == "emise",
                    ~select(InvoiceLine.id).where(InvoiceLine.invoice_id == Invoice.id).exists(),
                )
            ).all()
        assert bare == []  # every issued invoice kept its lines, forks included
        by_series: dict[str | None, list[int]] = defaultdict(list)
        numbers: list[str] = []
        for series_id, sequence, number in issued:
            assert sequence is not None and number is not None  # an issued invoice is numbered
            by_series[series_id].append(sequence)
            numbers.append(number)
        for sequences in by_series.values():
            assert sorted(sequences) == list(range(1, len(sequences) + 1))
        assert sorted(numbers) == sorted(self.issued_numbers)
        drafts_issued_twice = len(numbers) - len({self._origin(n) for n in numbers})
        assert forks == drafts_issued_twice
        self._check_forks_listed()

    def _check_forks_listed(self) -> None:
        with self.siege.engine.connect() as conn:
            fork_rows = set(
                conn.execute(
                    select(siege_conflict.c.row_id).where(
                        siege_conflict.c.kind == "invoice_double_issue"
                    )
                ).scalars()
            )
        for laptop in self.laptops:
            with laptop.profile.engine.connect() as conn:
                listed = set(
                    conn.execute(
                        select(SyncConflict.row_id).where(
                            SyncConflict.kind == "invoice_double_issue"
                        )
                    ).scalars()
                )
            # Listed where the invoice is in the laptop's scope (and kept after it left).
            scope = oracle(self.siege, laptop.towns, laptop)  # type: ignore[arg-type]
            assert {r for r in fork_rows if ("invoice", r) in scope} <= listed <= fork_rows

    def _origin(self, number: str) -> str:
        with self.siege.engine.connect() as conn:
            row = conn.execute(select(Invoice.id).where(Invoice.number == number)).scalar_one()
            fork = conn.execute(
                select(siege_conflict.c.detail).where(siege_conflict.c.row_id == row)
            ).scalar()
        return json.loads(fork)["original_id"] if fork else row

    def _server_clock(self, table: str, row_id: str, name: str) -> str | None:
        from siege.tables import field_clock as fc

        with self.siege.engine.connect() as conn:
            return conn.execute(
                select(fc.c.hlc).where(
                    fc.c.table_name == table, fc.c.row_id == row_id, fc.c.field == name
                )
            ).scalar()

    def _server_row(self, table: str, row_id: str) -> dict[str, Any] | None:
        from app.models.base import Base

        t = Base.metadata.tables[table]
        with self.siege.engine.connect() as conn:
            found = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
        return dict(found) if found is not None else None


def _diff(a: dict[str, Any], b: dict[str, Any]) -> list[Any]:
    out = []
    for table in b:
        for row_id in set(a[table]) | set(b[table]):
            if a[table].get(row_id) != b[table].get(row_id):
                out.append((table, row_id, a[table].get(row_id), b[table].get(row_id)))
    return out[:3]
