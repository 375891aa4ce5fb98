"""The laptop checks what it pulls: a hostile siège (a small fake server on loopback,
real HTTP) sends absurd clocks, cursors, unknown tables, oversize rows, a rewritten
issued invoice and paths outside the profile. The laptop refuses each with a logged
reason — never a crash, never an endless loop — and its data stays as it was."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings
from sqlalchemy import func, select

from app.errors import ConflictError
from app.invoicing import documents
from app.invoicing.validation import validate_invoice
from app.models import Invoice, InvoiceLine, OutboxEntry, Person
from app.models.base import Base
from app.profile import Profile
from app.sync import pulled, service, transport
from app.sync.apply import get_state
from app.sync.client import CURSOR_KEY, SyncError
from app.sync.codec import encode_row
from app.sync.hlc import Stamp, node_of, wall_now_ms
from app.sync.protocol import Conflict, Op, ProtocolError, PushRequest, Refusal, Row
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.sync_support import new_laptop

DAY_MS = 24 * 3600 * 1000
Page = Callable[[int, int], dict[str, Any]]


@dataclass
class Script:
    """What the fake siège answers; each test rewrites the parts it attacks."""

    server_time_ms: Any = None
    pages: Page | None = None
    push: tuple[int, dict[str, Any]] | None = None
    raw_changes: bytes | None = None
    calls: list[str] = field(default_factory=list)


class FakeSiege:
    def __init__(self) -> None:
        self.script = Script()
        script = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return None

            def _send(self, status: int, body: Any, raw: bytes | None = None) -> None:
                data = raw if raw is not None else json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                s = script.script
                s.calls.append(url.path)
                if url.path.endswith("/hello"):
                    now = s.server_time_ms if s.server_time_ms is not None else wall_now_ms()
                    device = {"name": "P", "antenne": "Épernay", "series_prefix": "HOS"}
                    self._send(200, {"server_time_ms": now, "device": {**device, "last_op": 0}})
                elif url.path.endswith("/changes"):
                    query = parse_qs(url.query)
                    after, limit = int(query["after"][0]), int(query["limit"][0])
                    if s.raw_changes is not None:
                        self._send(200, None, s.raw_changes)
                    else:
                        pages = s.pages or script.empty
                        self._send(200, pages(after, limit))
                else:
                    self._send(404, {"detail": "no"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                sent = json.loads(self.rfile.read(length) or b"{}")
                s = script.script
                s.calls.append(self.path)
                if self.path.endswith("/enroll"):
                    self._send(
                        200,
                        {
                            "token": "jeton-de-test",
                            "device_id": str(uuid.uuid4()),
                            "name": "Portable hostile",
                            "antenne": "Épernay",
                            "series_prefix": "HOS",
                        },
                    )
                elif self.path.endswith("/push") and s.push is not None:
                    self._send(*s.push)
                elif self.path.endswith("/push"):  # takes everything, as a siège would
                    last = sent["ops"][-1]["op"]
                    self._send(
                        200,
                        {
                            "batch_id": sent["batch_id"],
                            "accepted_through": last,
                            "applied": len(sent["ops"]),
                            "skipped": 0,
                            "forked": [],
                            "server_rows": [],
                        },
                    )
                else:
                    self._send(404, {"detail": "no"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def empty(after: int, _limit: int) -> dict[str, Any]:
        return {
            "rows": [],
            "conflicts": [],
            "next_cursor": after,
            "has_more": False,
            "last_seq": after,
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[tuple[FakeSiege, Profile]]:
    server = FakeSiege()
    laptop = new_laptop(tmp_path, "portable")
    service.enrol(laptop, server.url, "CODE-HOSTILE")
    try:
        yield server, laptop
    finally:
        laptop.close()
        server.close()


def _stamp(wall_ms: int) -> str:
    return Stamp(wall_ms, 0, node_of("siege")).encode()


def _row_of(profile: Profile, table: str, row_id: str, seq: int, **changes: Any) -> dict[str, Any]:
    """A row as the siège sends it, read from a real local row, with ``changes``."""
    t = Base.metadata.tables[table]
    with profile.engine.connect() as conn:
        values = dict(conn.execute(select(t).where(t.c.id == row_id)).mappings().one())
    values.pop("id")
    encoded = {**encode_row(table, values), **changes}
    stamp = _stamp(wall_now_ms())
    return {
        "seq": seq,
        "table": table,
        "row_id": row_id,
        "values": encoded,
        "clocks": dict.fromkeys(encoded, stamp),
    }


def _new_person_row(source: Profile, seq: int, **changes: Any) -> dict[str, Any]:
    """A person made on another (real) laptop, as the siège would send it."""
    with source.uow() as uow:
        person = Person(first_name="Lina", last_name=f"Nouvelle{seq}")
        uow.session.add(person)
        uow.commit()
        person_id = person.id
    return _row_of(source, "person", person_id, seq, **changes)


def _one_page(rows: list[dict[str, Any]], last: int) -> Page:
    def page(after: int, _limit: int) -> dict[str, Any]:
        if after >= last:
            return FakeSiege.empty(after, _limit)
        return {
            "rows": rows,
            "conflicts": [],
            "next_cursor": last,
            "has_more": False,
            "last_seq": last,
        }

    return page


def _count(profile: Profile, model: Any) -> int:
    with profile.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _cursor(profile: Profile) -> str:
    with profile.engine.connect() as conn:
        return get_state(conn, CURSOR_KEY, "0")


def _sync_fails(laptop: Profile) -> SyncError:
    with pytest.raises(SyncError) as caught:
        service.run_sync(laptop)
    return caught.value


@pytest.mark.parametrize(
    "server_time",
    [wall_now_ms() + 400 * 365 * DAY_MS, 5, "1764000000000", 1.7e12, True, None],
    ids=["year-2400", "1970", "string", "float", "bool", "missing"],
)
def test_an_absurd_siege_clock_is_refused_and_nothing_moves(hostile, server_time) -> None:
    server, laptop = hostile
    with laptop.uow() as uow:
        uow.session.add(Person(first_name="Zoé", last_name="Attente"))
        uow.commit()
    server.script.server_time_ms = server_time if server_time is not None else "absent"
    error = _sync_fails(laptop)
    assert error.code == "bad_response"
    assert _count(laptop, OutboxEntry) == 1  # the change waits, unsent
    assert not any(c.endswith("/push") for c in server.script.calls)
    assert service.history(laptop)[0].outcome == "bad_response"


def _bad_cursor_pages() -> dict[str, Page]:
    def backwards(after: int, _limit: int) -> dict[str, Any]:
        return {
            "rows": [],
            "conflicts": [],
            "next_cursor": max(after - 1, 0) if after else 0,
            "has_more": True,
            "last_seq": 10,
        }

    def beyond_last(_after: int, _limit: int) -> dict[str, Any]:
        return {"rows": [], "conflicts": [], "next_cursor": 50, "has_more": False, "last_seq": 10}

    def as_text(_after: int, _limit: int) -> dict[str, Any]:
        return {"rows": [], "conflicts": [], "next_cursor": "7", "has_more": False, "last_seq": 10}

    def as_float(_after: int, _limit: int) -> dict[str, Any]:
        return {"rows": [], "conflicts": [], "next_cursor": 7.5, "has_more": False, "last_seq": 10}

    def same_page_forever(after: int, _limit: int) -> dict[str, Any]:
        return {"rows": [], "conflicts": [], "next_cursor": after, "has_more": True, "last_seq": 10}

    def huge(_after: int, _limit: int) -> dict[str, Any]:
        return {
            "rows": [],
            "conflicts": [],
            "next_cursor": 2**70,
            "has_more": False,
            "last_seq": 2**70,
        }

    def last_seq_shrinks(after: int, _limit: int) -> dict[str, Any]:
        return {
            "rows": [],
            "conflicts": [],
            "next_cursor": after + 1,
            "has_more": True,
            "last_seq": 10 - after,
        }

    return {
        "backwards": backwards,
        "beyond-last-seq": beyond_last,
        "string": as_text,
        "float": as_float,
        "same-page-forever": same_page_forever,
        "huge": huge,
        "last-seq-shrinks": last_seq_shrinks,
    }


@pytest.mark.parametrize("kind", sorted(_bad_cursor_pages()))
def test_an_absurd_cursor_is_refused_without_looping(hostile, kind: str) -> None:
    server, laptop = hostile
    with laptop.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES (?, '3')", (CURSOR_KEY,))
    server.script.pages = _bad_cursor_pages()[kind]
    assert _sync_fails(laptop).code == "bad_response"
    changes_calls = [c for c in server.script.calls if c.endswith("/changes")]
    assert len(changes_calls) <= 10  # refused at once, not asked again and again
    assert _cursor(laptop) in ("3", "4", "5", "6", "7")  # never beyond what was applied
    assert int(_cursor(laptop)) <= 10


def test_a_page_larger_than_asked_or_a_huge_answer_is_refused(
    hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, laptop = hostile
    source = new_laptop(tmp_path, "source")
    rows = [_new_person_row(source, seq) for seq in range(1, 4)]
    server.script.pages = _one_page(rows, 3)
    with pytest.raises(SyncError) as caught:
        service.run_sync(laptop, page_size=2)
    assert caught.value.code == "bad_response"
    assert _count(laptop, Person) == 0
    # An answer bigger than the laptop reads is refused before it is parsed.
    monkeypatch.setattr(transport, "MAX_RESPONSE_BYTES", 50_000)
    server.script.raw_changes = b'{"rows": ["' + b"x" * 200_000 + b'"]}'
    assert _sync_fails(laptop).details.get("reason") == "too_large"
    source.close()


def test_bad_rows_are_refused_one_by_one_and_the_good_ones_applied(hostile, tmp_path: Path) -> None:
    server, laptop = hostile
    source = new_laptop(tmp_path, "source")
    good = _new_person_row(source, 1)
    now = wall_now_ms()
    unknown_table = {**_new_person_row(source, 2), "table": "siege_secrets"}
    unknown_field = _new_person_row(source, 3, is_admin=True)
    oversize = _new_person_row(source, 4, notes="x" * 300_000, last_name="L" * 5000)
    future = _new_person_row(source, 5)
    future["clocks"] = dict.fromkeys(future["values"], _stamp(now + 3 * DAY_MS))
    bad_id = {**_new_person_row(source, 6), "row_id": "../../etc"}
    bad_clock = _new_person_row(source, 7)
    bad_clock["clocks"]["notes"] = "demain"
    rows = [good, unknown_table, unknown_field, oversize, future, bad_id, bad_clock]
    server.script.pages = _one_page(rows, 7)
    report = service.run_sync(laptop)
    assert report.pulled == 7
    reasons = {(r.row_id[:8], r.reason) for r in report.pull_refused}
    assert reasons == {
        (unknown_table["row_id"][:8], "unknown_table"),
        (unknown_field["row_id"][:8], "unknown_field"),
        (oversize["row_id"][:8], "bad_value"),
        (future["row_id"][:8], "clock_in_future"),
        ("../../et", "bad_row_id"),
        (bad_clock["row_id"][:8], "bad_clock"),
    }
    with laptop.session_factory() as session:
        assert [p.id for p in session.scalars(select(Person))] == [good["row_id"]]
    # Listed for a person to see, and the run says some rows were refused.
    assert sorted(c.kind for c in service.open_conflicts(laptop)) == ["pull_refused"] * 6
    assert service.history(laptop)[0].outcome == "refused"
    # The laptop's clock did not jump to the far future stamp: its next edit is stamped now.
    with laptop.uow() as uow:
        uow.session.add(Person(first_name="Zoé", last_name="Après"))
        uow.commit()
    with laptop.session_factory() as session:
        assert session.scalar(select(func.max(OutboxEntry.hlc))) < _stamp(now + DAY_MS)
    source.close()


def _issued_here(laptop: Profile) -> tuple[str, list[str]]:
    complete_identity(laptop.uow)
    person = add_entrepreneur(laptop.uow)
    client = add_client(laptop.uow, person)
    draft = add_draft(laptop.uow, person, client)
    validate_invoice(laptop.uow, laptop.paths.documents, draft, dt.date(2026, 11, 26))
    with laptop.session_factory() as session:
        lines = list(session.scalars(select(InvoiceLine.id).where(InvoiceLine.invoice_id == draft)))
    return draft, lines


def test_a_rewritten_issued_invoice_is_refused_and_stays_as_issued(hostile) -> None:
    server, laptop = hostile
    invoice_id, line_ids = _issued_here(laptop)
    with laptop.session_factory() as session:
        before = session.get(Invoice, invoice_id)
        assert before is not None and before.status == "emise"
        total, buyer = before.total_incl_cents, before.buyer_snapshot
        issued_at = before.issued_at
    assert issued_at is not None
    rewritten = _row_of(
        laptop, "invoice", invoice_id, 1, total_incl_cents=999_999, buyer_snapshot="{}"
    )
    unissued = _row_of(laptop, "invoice", invoice_id, 2, status="brouillon")
    changed_line = _row_of(laptop, "invoice_line", line_ids[0], 3, unit_price_cents=999_999)
    added_line = _row_of(
        laptop,
        "invoice_line",
        line_ids[0],
        4,
        created_at=(issued_at + dt.timedelta(hours=1)).isoformat(),
    )
    added_line["row_id"] = str(uuid.uuid4())
    server.script.pages = _one_page([rewritten, unissued, changed_line, added_line], 4)
    report = service.run_sync(laptop)
    assert {r.reason for r in report.pull_refused} == {"issued_invoice_immutable"}
    assert len(report.pull_refused) == 4
    with laptop.session_factory() as session:
        after = session.get(Invoice, invoice_id)
        assert after is not None
        assert (after.status, after.total_incl_cents, after.buyer_snapshot) == (
            "emise",
            total,
            buyer,
        )
        assert len(
            list(session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)))
        ) == len(line_ids)
        line = session.get(InvoiceLine, line_ids[0])
        assert line is not None and line.unit_price_cents != 999_999


def test_an_issued_invoice_takes_only_an_empty_pdf_path_from_a_pull(hostile) -> None:
    server, laptop = hostile
    invoice_id, _lines = _issued_here(laptop)
    with laptop.engine.begin() as conn:  # as received from another laptop: no file here yet
        conn.exec_driver_sql(
            "UPDATE invoice SET pdf_path = '', pdf_sha256 = '' WHERE id = ?", (invoice_id,)
        )
    filled = _row_of(
        laptop,
        "invoice",
        invoice_id,
        1,
        pdf_path="factures/2026/HOS-1.pdf",
        pdf_sha256="a" * 64,
        updated_by="quelqu'un d'autre",
    )
    server.script.pages = _one_page([filled], 1)
    report = service.run_sync(laptop)
    assert report.pull_refused == ()
    with laptop.session_factory() as session:
        row = session.get(Invoice, invoice_id)
        assert row is not None
        assert (row.pdf_path, row.pdf_sha256) == ("factures/2026/HOS-1.pdf", "a" * 64)
        assert row.updated_by != "quelqu'un d'autre"  # nothing else of an issued row moves


@pytest.mark.parametrize("path", ["/etc/passwd", "../../x", "factures/../../../x", "C:/x"])
def test_a_pdf_path_outside_documents_is_refused_at_pull_and_never_opened(
    hostile, tmp_path: Path, path: str
) -> None:
    server, laptop = hostile
    source = new_laptop(tmp_path, "source")
    invoice_id, _lines = _issued_here(source)
    row = _row_of(source, "invoice", invoice_id, 1, pdf_path=path)
    server.script.pages = _one_page([row], 1)
    report = service.run_sync(laptop)
    assert [(r.row_id, r.reason) for r in report.pull_refused] == [(invoice_id, "unsafe_path")]
    assert _count(laptop, Invoice) == 0
    # Where a path got in by another way (an old database), opening and exporting refuse it.
    with source.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE invoice SET pdf_path = ? WHERE id = ?", (path, invoice_id))
    with pytest.raises(ConflictError) as caught:
        documents.invoice_pdf(source.uow, source.paths.documents, invoice_id)
    assert caught.value.code == "invoice_pdf_path_unsafe"
    result = documents.export_pdfs(
        source.uow, source.paths.documents, [invoice_id], tmp_path / "export"
    )
    assert len(result.refused) == 1 and result.copied == 0
    source.close()


@pytest.mark.parametrize(
    "answer",
    [
        (200, {"accepted_through": 10**9, "forked": [], "server_rows": []}),
        (200, {"accepted_through": 0, "forked": [], "server_rows": []}),
        (200, {"accepted_through": "1", "forked": [], "server_rows": []}),
        (
            409,
            {
                "detail": {
                    "code": "rejected",
                    "rejected": [{"op": 999, "table": "person", "row_id": "x", "reason": "r"}],
                }
            },
        ),
        (409, {"detail": "non"}),
    ],
    ids=["acknowledges-unsent", "acknowledges-nothing", "string", "names-no-op", "no-list"],
)
def test_an_absurd_push_answer_keeps_the_outbox(hostile, answer) -> None:
    server, laptop = hostile
    with laptop.uow() as uow:
        uow.session.add(Person(first_name="Zoé", last_name="Attente"))
        uow.commit()
    server.script.push = answer
    assert _sync_fails(laptop).code == "bad_response"
    assert _count(laptop, OutboxEntry) == 1
    assert len([c for c in server.script.calls if c.endswith("/push")]) == 1


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
PAGE_KEYS = st.sampled_from(["rows", "conflicts", "next_cursor", "has_more", "last_seq"])


@settings(max_examples=300, deadline=None)
@given(
    body=st.dictionaries(PAGE_KEYS, JSON | st.integers(-3, 30), max_size=5),
    after=st.integers(0, 20),
)
def test_any_page_is_either_refused_with_a_reason_or_moves_forward(
    body: dict[str, Any], after: int
) -> None:
    try:
        page = pulled.check_page(body, after, 10, 0)
    except pulled.PullRefused as refused:
        assert refused.reason
        return
    assert after <= page.next_cursor <= page.last_seq
    assert not page.has_more or page.next_cursor > after
    assert len(page.rows) <= 10


@settings(max_examples=300, deadline=None)
@given(raw=JSON)
def test_any_message_part_is_parsed_or_refused_with_a_reason(raw: Any) -> None:
    for parse in (
        Op.from_json,
        Row.from_json,
        Conflict.from_json,
        Refusal.from_json,
        PushRequest.from_json,
    ):
        try:
            parse(raw)
        except ProtocolError as refused:
            assert refused.reason
