"""A process killed (SIGKILL) while validating never leaves a gap or a duplicate number."""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import select

from app.models import Invoice, InvoiceSeries
from app.profile import Profile, open_profile
from tests.clock_support import child_env
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity


class Row(NamedTuple):
    status: str
    number: str | None
    sequence: int | None
    pdf_path: str
    pdf_sha256: str


ROOT = Path(__file__).resolve().parents[2]
KILLS = 12


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkill_during_validation_leaves_drafts_or_numbered_invoices_only(
    profile: Profile,
) -> None:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    client = add_client(profile.uow, person)
    for _ in range(KILLS * 12):
        add_draft(profile.uow, person, client)
    root = profile.paths.root
    profile.close()  # the child takes the profile lock
    rng = random.Random(20261126)
    env = child_env()
    for _ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.invoicing_crash_child", str(root)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        # Let the child finish 0-2 validations, then kill it somewhere inside the next one
        # (about 40 ms when warm; the first one of a process also imports reportlab and
        # factur-x). Counting finished validations, not sleeping a fixed time, keeps the
        # test meaningful on a loaded machine where a cold validation takes seconds.
        for _ in range(rng.randint(0, 2)):
            assert child.stdout.readline().strip() == "issued"
        time.sleep(rng.uniform(0.0, 0.06))
        child.send_signal(signal.SIGKILL)
        child.wait()

    reopened = open_profile(root)
    try:
        assert reopened.integrity_ok()
        with reopened.uow() as work:
            invoices = [
                Row(i.status, i.number, i.sequence, i.pdf_path, i.pdf_sha256)
                for i in work.session.scalars(select(Invoice))
            ]
            last_number = work.session.scalars(select(InvoiceSeries)).one().last_number
        issued = sorted((i for i in invoices if i.status == "emise"), key=lambda i: i.sequence or 0)
        drafts = [i for i in invoices if i.status == "brouillon"]
        assert len(issued) + len(drafts) == KILLS * 12
        assert issued, "the child never got to validate anything"
        assert drafts, "every draft was validated: the kills did not interrupt anything"
        assert [i.sequence for i in issued] == list(range(1, len(issued) + 1))
        assert len({i.number for i in issued}) == len(issued)
        assert last_number == len(issued)
        assert all(d.number is None and d.sequence is None for d in drafts)
        for invoice in issued:
            stored = (reopened.paths.documents / invoice.pdf_path).read_bytes()
            assert hashlib.sha256(stored).hexdigest() == invoice.pdf_sha256
    finally:
        reopened.close()
