"""Child process of the crash test: validates every draft of the profile until killed."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import select

from app.invoicing.validation import validate_invoice
from app.models import Invoice
from app.profile import open_profile


def main(root: str) -> None:
    profile = open_profile(Path(root))
    with profile.uow() as work:
        drafts = list(
            work.session.scalars(
                select(Invoice.id).where(Invoice.status == "brouillon").order_by(Invoice.id)
            )
        )
    print("ready", flush=True)
    for draft in drafts:
        validate_invoice(profile.uow, profile.paths.documents, draft, dt.date(2026, 3, 2))
        print("issued", flush=True)
    profile.close()


if __name__ == "__main__":
    main(sys.argv[1])
