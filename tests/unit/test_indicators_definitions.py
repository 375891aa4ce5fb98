"""Every figure has a written definition, and the docs say the same as the tooltips."""

from __future__ import annotations

from pathlib import Path

from app.indicators.definitions import DEFINITIONS, markdown
from app.indicators.drilldown import INVOICE_FIGURES, PERSON_FIGURES
from app.indicators.scope import Scope, detect_scope

ROOT = Path(__file__).resolve().parents[2]


def test_docs_are_generated_from_the_definitions() -> None:
    # Regenerate with: python -m app.indicators.definitions > docs/indicators.md
    assert (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8") == markdown()


def test_every_clickable_figure_has_a_definition() -> None:
    clickable = (set(PERSON_FIGURES) | set(INVOICE_FIGURES)) - {"cape"}
    assert clickable <= set(DEFINITIONS)
    assert all(d.text.endswith(".") and len(d.text) > 40 for d in DEFINITIONS.values())


def test_a_laptop_profile_says_its_figures_cover_this_laptop(uow) -> None:
    with uow() as unit:
        assert detect_scope(unit.session) is Scope.LAPTOP
    assert Scope.LAPTOP.value == "laptop copy"
    assert Scope.CONSOLIDATED.value == "consolidated (siège)"
