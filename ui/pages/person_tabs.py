"""Tabs of the person record, and the hook other areas use to add their own.

Extension point — an area (workshops, invoicing...) adds a tab to every person record by
calling, at import time of its own ui module (imported by ``page_specs()``)::

    from ui.pages.person_tabs import register_person_tab
    register_person_tab("Ateliers", lambda ctx, parent: MyTab(ctx, parent))

The factory returns a QWidget with a ``show_person(person_id: str) -> None`` method, called
each time a record is shown or refreshed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtWidgets import QWidget

from app import formatting
from app.people.person_file import InterviewRow, TimelineEvent
from app.states import StageKind
from ui.context import AppContext
from ui.messages_people import (
    DECISIONS,
    MODES,
    OUTCOMES,
    TIMELINE_KINDS,
)
from ui.models.row_table_model import Column
from ui.texts import accueil, common


class PersonTab(Protocol):
    def show_person(self, person_id: str) -> None: ...


PersonTabFactory = Callable[[AppContext, QWidget], QWidget]
_EXTRA_TABS: list[tuple[str, PersonTabFactory]] = []


def register_person_tab(title: str, factory: PersonTabFactory) -> None:
    """Add a tab to every person record (see the module docstring)."""
    if all(existing != title for existing, _f in _EXTRA_TABS):
        _EXTRA_TABS.append((title, factory))


def extra_tabs() -> list[tuple[str, PersonTabFactory]]:
    return list(_EXTRA_TABS)


def _timeline_detail(event: TimelineEvent, exit_reasons: dict[str, str]) -> str:
    stage = event.stage
    parts: list[str] = []
    if stage is not None and event.kind.startswith("stage_") and "end" not in event.kind:
        if stage.kind == StageKind.CAPE:
            end = formatting.date(stage.end_date)
            parts.append(accueil.UNTIL.format(end=end) if end else "")
            if stage.renewals:
                parts.append(accueil.RENEWAL_COUNT.format(count=stage.renewals))
        if stage.contract_type:
            parts.append(stage.contract_type)
        if stage.outcome:
            parts.append(OUTCOMES.get(stage.outcome, stage.outcome))
        if stage.exit_reason_code:
            parts.append(exit_reasons.get(stage.exit_reason_code, stage.exit_reason_code))
    if event.text:
        parts.append(event.text.splitlines()[0])
    return " — ".join(p for p in parts if p)


def timeline_columns(exit_reasons: dict[str, str]) -> list[Column[TimelineEvent]]:
    return [
        Column(common.DATE, lambda e: formatting.date(e.on)),
        Column(accueil.EVENT, lambda e: TIMELINE_KINDS.get(e.kind, e.kind)),
        Column(accueil.DETAILS, lambda e: _timeline_detail(e, exit_reasons)),
    ]


def _interview_state(row: InterviewRow) -> str:
    if row.kind == "accueil":
        return accueil.DRAFT if row.is_draft else DECISIONS.get(row.decision, row.decision)
    return accueil.FOLLOWUP_MODE_DURATION.format(
        mode=MODES.get(row.mode, row.mode), minutes=row.duration_minutes
    )


INTERVIEW_COLUMNS: list[Column[InterviewRow]] = [
    Column(common.DATE, lambda r: formatting.date(r.held_on)),
    Column(
        accueil.INTERVIEW,
        lambda r: accueil.INTAKE_SHORT if r.kind == "accueil" else accueil.FOLLOWUP_SHORT,
    ),
    Column(common.STATE, _interview_state),
    Column(common.ACCOMPAGNATEUR, lambda r: r.accompagnateur),
    Column(accueil.SUMMARY, lambda r: r.summary),
    Column(accueil.CHANGED_BY_COLUMN, lambda r: r.updated_by),
]
