"""Domain tables. Importing this package registers every table on ``Base.metadata``."""

from app.models.base import Base, Synced, synced_tables
from app.models.invoicing import Client, Invoice, InvoiceLine, InvoiceSeries, Payment
from app.models.people import (
    Appointment,
    FollowupInterview,
    IntakeInterview,
    ParcoursStage,
    Person,
    PersonAttachment,
)
from app.models.reference import (
    Accompagnateur,
    Antenne,
    CaeIdentity,
    Funder,
    OptionItem,
    Permanence,
)
from app.models.sync import (
    DeviceIdentity,
    FieldClock,
    JournalEntry,
    OutboxEntry,
    SyncConflict,
    SyncRun,
    SyncState,
)
from app.models.workshops import (
    Activity,
    ActivityFunder,
    ActivitySlot,
    Attendance,
    AttendanceSignature,
    Registration,
    SheetSeal,
    WorkshopTheme,
)

__all__ = [
    "Accompagnateur",
    "Activity",
    "ActivityFunder",
    "ActivitySlot",
    "Antenne",
    "Appointment",
    "Attendance",
    "AttendanceSignature",
    "Base",
    "CaeIdentity",
    "Client",
    "DeviceIdentity",
    "FieldClock",
    "FollowupInterview",
    "Funder",
    "IntakeInterview",
    "Invoice",
    "InvoiceLine",
    "InvoiceSeries",
    "JournalEntry",
    "OptionItem",
    "OutboxEntry",
    "ParcoursStage",
    "Payment",
    "Permanence",
    "Person",
    "PersonAttachment",
    "Registration",
    "SheetSeal",
    "SyncConflict",
    "SyncRun",
    "SyncState",
    "Synced",
    "WorkshopTheme",
    "synced_tables",
]
