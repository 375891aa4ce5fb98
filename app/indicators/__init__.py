"""Indicators of the tableau de bord: each figure is one SQL aggregate computed in the
database, defined in :mod:`app.indicators.definitions` (tooltips, report, docs)."""

from app.indicators.dashboard import DashboardData, dashboard
from app.indicators.definitions import DEFINITIONS, Definition
from app.indicators.period import Filters, Period
from app.indicators.scope import Scope

__all__ = ["DEFINITIONS", "DashboardData", "Definition", "Filters", "Period", "Scope", "dashboard"]
