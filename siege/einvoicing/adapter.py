"""What the siège needs from a plateforme agréée, whatever its API: send one flow, find a
flow already sent by its tracking id, read the life-cycle statuses that arrived since a
cursor. XP Z12-013 (``siege.einvoicing.afnor``) is the first implementation; a PA with its
own API gets another class with these methods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class TransientError(Exception):
    """The PA could not take the flow now (network, 429, 5xx): retry later."""


class PermanentError(Exception):
    """The PA refused the request itself (4xx): retrying the same bytes cannot help."""


@dataclass(frozen=True)
class OutgoingFlow:
    tracking_id: str
    file_name: str
    payload: bytes
    sha256: str
    flow_syntax: str  # Factur-X | CDAR
    flow_profile: str  # Basic | CIUS | Extended-CTC-FR
    processing_rule: str  # B2B | B2C | B2BInt (e-reporting)


@dataclass(frozen=True)
class StatusEvent:
    """One life-cycle status (XP Z12-012) about one of our invoices."""

    flow_id: str  # the life-cycle flow's id at the PA
    invoice_number: str
    code: str  # "200", "213"...
    reason: str
    status_at: dt.datetime  # naive UTC


@dataclass(frozen=True)
class DirectoryEntry:
    """A SIREN's line in the PA directory (XP Z12-013 Directory Service)."""

    siren: str
    addressing_identifier: str  # "" = no directory line: receives no e-invoice
    platform: str = ""
    public_entity: bool = False


class PaAdapter(Protocol):
    def submit(self, flow: OutgoingFlow) -> str:
        """Send the flow; return the PA's flow id. Sending the same tracking id / sha256
        again must not create a second flow at the PA."""
        ...

    def find(self, tracking_id: str) -> str | None:
        """The PA's flow id of a flow already sent with this tracking id, if any."""
        ...

    def directory_entry(self, siren: str) -> DirectoryEntry:
        """What the directory says of ``siren`` (an entry with no addressing identifier
        when it has no line)."""
        ...

    def statuses_since(self, cursor: str) -> tuple[list[StatusEvent], str]:
        """Statuses received since ``cursor`` (opaque, "" at first) and the next cursor."""
        ...
