"""derived tables of the dashboard (issue 17, budget): stage spans, open invoices, payments

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

Three local tables computed from synced rows and kept right by SQLite triggers, so every
write path (services, sync apply, snapshot copy, anonymisation, hand-written SQL) keeps
them exact with no code in each path (docs/indicators.md, "Derived tables"):

- ``stage_span``: each live parcours stage with the start of the person's next stage
  (the window the indicators ran over every stage at each dashboard read); rewritten for
  a person whenever one of their stages is written.
- ``invoice_open``: each issued invoice (not a credit note) with its amount, antenne,
  issue date and ``settled_on``, the first day from which its balance (amount incl.
  VAT, minus the payments and credit notes dated by then) is zero or less for good
  (NULL: still due today), its last dated change (``last_event_on``) and its balance
  since (``balance_cents``). The unpaid amounts at a period's end then only read the
  invoices not settled by that day, and sum payments and credit notes only for those
  changed after it; rewritten for an invoice whenever it, one of its payments or one of
  its credit notes is written.

- ``payment_fact``: each live payment of an issued invoice or credit note with the
  invoice's entrepreneur and antenne and its signed amount, so the cashed turnover reads
  one narrow index instead of joining every payment of the period to its invoice.

Each table is defined once, by a view of the same name with ``_calc`` (the recomputation
from the synced rows): the triggers copy the view's rows for the person, invoice or
payment written, and :func:`rebuild` (app/indicators/derived.py) the whole view. Neither table is
synced (they are not in the models' metadata, so neither the sync nor the snapshot knows
them): each copy rebuilds them from its own synced rows.

SQLite only (laptops and the siège's SQLite try-out): on PostgreSQL nothing is created and
the indicators compute the same figures from the synced tables (app/indicators/derived.py
``present``). Also covering indexes of the attendance marks by slot (the hours; SQLite),
and on SQLite and PostgreSQL of the credit notes of an invoice (the balances), of the
live persons and of each person's follow-up interviews by date.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Same-day stages: the further step of the journey comes last (app/people/parcours_rules.py).
_RANK = (
    "CASE kind WHEN 'accueil' THEN 0 WHEN 'diagnostic' THEN 1 WHEN 'cape' THEN 2 "
    "WHEN 'salarie' THEN 3 WHEN 'associe' THEN 4 WHEN 'sortie' THEN 5 ELSE -1 END"
)

STAGE_SPAN_CALC = f"""
CREATE VIEW stage_span_calc AS
SELECT id AS stage_id, person_id, kind, start_date, end_date, renewals, contract_type,
       lead(start_date) OVER (
           PARTITION BY person_id ORDER BY start_date, {_RANK}, id
       ) AS next_start
FROM parcours_stage
WHERE deleted_at IS NULL
"""

# Balance of invoice ``i`` on day ``{day}``: amount incl. VAT, minus its live payments and
# its live issued credit notes (stored negative: abs) dated by then. The credit notes are
# found by ``ix_invoice_credits`` (two equalities: without statistics, as on every laptop,
# SQLite would otherwise scan every credit note through ``ix_invoice_unpaid`` on the kind).
_BALANCE = """(i.total_incl_cents
    - (SELECT coalesce(sum(p.amount_cents), 0) FROM payment p
       WHERE p.invoice_id = i.id AND p.deleted_at IS NULL AND p.paid_on <= {day})
    - (SELECT coalesce(sum(abs(c.total_incl_cents)), 0) FROM invoice c
       WHERE c.credited_invoice_id = i.id AND c.kind = 'avoir' AND c.status != 'brouillon'
         AND c.deleted_at IS NULL AND c.issue_date <= {day}))"""
# Days the balance can change: its issue date, its payments', its credit notes' (UNION
# ALL: a day twice changes nothing below, and no temporary b-tree per invoice).
_EVENTS = """(SELECT p.paid_on AS day FROM payment p
     WHERE p.invoice_id = i.id AND p.deleted_at IS NULL
   UNION ALL SELECT c.issue_date FROM invoice c
     WHERE c.credited_invoice_id = i.id AND c.kind = 'avoir' AND c.status != 'brouillon'
       AND c.deleted_at IS NULL
   UNION ALL SELECT i.issue_date)"""
_FINAL = _BALANCE.format(day="'9999-12-31'")
_LAST_DUE = f"""(SELECT max(f.day) FROM {_EVENTS} f WHERE {_BALANCE.format(day="f.day")} > 0)"""

# settled_on: NULL while the balance is positive today, else the first such day after the
# last one that left it positive; last_event_on and balance_cents: the last such day and
# the balance from then on (a period ending on or after it reads the balance without
# summing anything).
INVOICE_OPEN_CALC = f"""
CREATE VIEW invoice_open_calc AS
SELECT i.id AS invoice_id, i.issue_date, i.total_incl_cents, i.antenne_id,
       CASE WHEN {_FINAL} > 0 THEN NULL
            ELSE (SELECT min(e.day) FROM {_EVENTS} e WHERE e.day > coalesce({_LAST_DUE}, ''))
       END AS settled_on,
       (SELECT max(e.day) FROM {_EVENTS} e) AS last_event_on,
       {_FINAL} AS balance_cents
FROM invoice i
WHERE i.kind = 'facture' AND i.status = 'emise' AND i.deleted_at IS NULL
"""

# Each live payment of a live issued invoice or credit note, with what the turnover groups
# it by (the invoice's entrepreneur and antenne) and its signed amount: a refund recorded
# on a credit note subtracts (app/indicators/turnover.py).
PAYMENT_FACT_CALC = """
CREATE VIEW payment_fact_calc AS
SELECT p.id AS payment_id, p.invoice_id, p.paid_on, i.entrepreneur_id AS person_id,
       i.antenne_id,
       CASE WHEN i.kind = 'avoir' THEN -abs(p.amount_cents) ELSE p.amount_cents END AS amount
FROM payment p JOIN invoice i ON i.id = p.invoice_id
WHERE p.deleted_at IS NULL AND i.deleted_at IS NULL AND i.status != 'brouillon'
"""

TABLES = [
    """CREATE TABLE stage_span (
        stage_id VARCHAR(36) NOT NULL PRIMARY KEY,
        person_id VARCHAR(36) NOT NULL,
        kind VARCHAR(20) NOT NULL,
        start_date DATE NOT NULL,
        end_date DATE,
        renewals INTEGER,
        contract_type VARCHAR(10),
        next_start DATE
    )""",
    "CREATE INDEX ix_stage_span_person_id ON stage_span (person_id)",
    """CREATE TABLE invoice_open (
        invoice_id VARCHAR(36) NOT NULL PRIMARY KEY,
        issue_date DATE,
        total_incl_cents INTEGER,
        antenne_id VARCHAR(36),
        settled_on DATE,
        last_event_on DATE,
        balance_cents INTEGER
    )""",
    "CREATE INDEX ix_invoice_open_settled ON invoice_open (settled_on, issue_date)",
    """CREATE TABLE payment_fact (
        payment_id VARCHAR(36) NOT NULL PRIMARY KEY,
        invoice_id VARCHAR(36) NOT NULL,
        paid_on DATE NOT NULL,
        person_id VARCHAR(36),
        antenne_id VARCHAR(36),
        amount INTEGER NOT NULL
    )""",
    "CREATE INDEX ix_payment_fact_invoice_id ON payment_fact (invoice_id)",
    "CREATE INDEX ix_payment_fact_figures ON payment_fact "
    "(paid_on, person_id, antenne_id, amount, invoice_id, payment_id)",
]


def _spans_of(person: str) -> str:
    return (
        f"DELETE FROM stage_span WHERE person_id = {person}; "
        f"INSERT INTO stage_span SELECT * FROM stage_span_calc WHERE person_id = {person};"
    )


def _open_of(invoice: str) -> str:
    return (
        f"DELETE FROM invoice_open WHERE invoice_id = {invoice}; "
        f"INSERT INTO invoice_open SELECT * FROM invoice_open_calc WHERE invoice_id = {invoice};"
    )


def _payment_fact(payment: str) -> str:
    return (
        f"DELETE FROM payment_fact WHERE payment_id = {payment}; "
        f"INSERT INTO payment_fact SELECT * FROM payment_fact_calc WHERE payment_id = {payment};"
    )


def _payment_facts_of(invoice: str) -> str:
    return (
        f"DELETE FROM payment_fact WHERE invoice_id = {invoice}; "
        f"INSERT INTO payment_fact SELECT * FROM payment_fact_calc WHERE invoice_id = {invoice};"
    )


_STAGE_COLUMNS = "person_id, kind, start_date, end_date, renewals, contract_type, deleted_at"
_INVOICE_COLUMNS = (
    "kind, status, deleted_at, issue_date, total_incl_cents, antenne_id, credited_invoice_id"
)
_PAYMENT_COLUMNS = "invoice_id, paid_on, amount_cents, deleted_at"

# (name, event, body)
TRIGGERS = [
    ("stage_span_ins", "AFTER INSERT ON parcours_stage", _spans_of("NEW.person_id")),
    (
        "stage_span_upd",
        f"AFTER UPDATE OF {_STAGE_COLUMNS} ON parcours_stage",
        _spans_of("OLD.person_id") + _spans_of("NEW.person_id"),
    ),
    ("stage_span_del", "AFTER DELETE ON parcours_stage", _spans_of("OLD.person_id")),
    (
        "invoice_open_ins",
        "AFTER INSERT ON invoice",
        _open_of("NEW.id") + _open_of("NEW.credited_invoice_id"),
    ),
    (
        "invoice_open_upd",
        f"AFTER UPDATE OF {_INVOICE_COLUMNS} ON invoice",
        _open_of("NEW.id")
        + _open_of("OLD.credited_invoice_id")
        + _open_of("NEW.credited_invoice_id"),
    ),
    (
        "invoice_open_del",
        "AFTER DELETE ON invoice",
        _open_of("OLD.id") + _open_of("OLD.credited_invoice_id"),
    ),
    ("invoice_open_pay_ins", "AFTER INSERT ON payment", _open_of("NEW.invoice_id")),
    (
        "invoice_open_pay_upd",
        f"AFTER UPDATE OF {_PAYMENT_COLUMNS} ON payment",
        _open_of("OLD.invoice_id") + _open_of("NEW.invoice_id"),
    ),
    ("invoice_open_pay_del", "AFTER DELETE ON payment", _open_of("OLD.invoice_id")),
    ("payment_fact_ins", "AFTER INSERT ON payment", _payment_fact("NEW.id")),
    (
        "payment_fact_upd",
        f"AFTER UPDATE OF {_PAYMENT_COLUMNS}, id ON payment",
        _payment_fact("OLD.id") + _payment_fact("NEW.id"),
    ),
    ("payment_fact_del", "AFTER DELETE ON payment", _payment_fact("OLD.id")),
    ("payment_fact_inv_ins", "AFTER INSERT ON invoice", _payment_facts_of("NEW.id")),
    (
        "payment_fact_inv_upd",
        "AFTER UPDATE OF entrepreneur_id, antenne_id, kind, status, deleted_at ON invoice",
        _payment_facts_of("NEW.id"),
    ),
    ("payment_fact_inv_del", "AFTER DELETE ON invoice", _payment_facts_of("OLD.id")),
]

VIEWS = ("stage_span_calc", "invoice_open_calc", "payment_fact_calc")
DERIVED = ("stage_span", "invoice_open", "payment_fact")
ATTENDANCE_INDEX = "ix_attendance_slot_marks"
# (table, index, columns): portable covering indexes, made on PostgreSQL too.
INDEXES = [
    (
        "invoice",
        "ix_invoice_credits",
        ["credited_invoice_id", "kind", "status", "deleted_at", "issue_date", "total_incl_cents"],
    ),
    # Whether a person counts (live, not merged) without reading the person's row: every
    # figure joins its facts to ``person`` for that (attendance marks: 30,000 seeks).
    ("person", "ix_person_live", ["id", "deleted_at", "merged_into_id"]),
    # A person's follow-up interviews in a date range, counted in the index.
    ("followup_interview", "ix_followup_interview_counts", ["person_id", "deleted_at", "held_on"]),
]


def upgrade() -> None:
    for table_name, name, columns in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.create_index(name, table_name, columns)
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop()  # idempotent on a re-stamped schema
    op.execute(STAGE_SPAN_CALC)
    op.execute(INVOICE_OPEN_CALC)
    op.execute(PAYMENT_FACT_CALC)
    for statement in TABLES:
        op.execute(statement)
    for name, event, body in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {event} FOR EACH ROW BEGIN {body} END")
    op.execute(
        f"CREATE INDEX {ATTENDANCE_INDEX} ON attendance (slot_id, deleted_at, person_id, state)"
    )
    for derived in DERIVED:
        op.execute(f"INSERT INTO {derived} SELECT * FROM {derived}_calc")


def _drop() -> None:
    for name, _event, _body in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP INDEX IF EXISTS {ATTENDANCE_INDEX}")
    for derived in DERIVED:
        op.execute(f"DROP TABLE IF EXISTS {derived}")
    for view in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")


def downgrade() -> None:
    for table_name, name, _columns in INDEXES:
        op.drop_index(name, table_name)
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop()
