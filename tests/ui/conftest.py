"""UI fixtures: a real main-window context over a real profile (offscreen Qt)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.profile import Profile


@pytest.fixture
def ctx(qapp, profile: Profile) -> Iterator[object]:
    from ui.context import AppContext, ChangeHub
    from ui.tasks import TaskManager

    context = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
    yield context
    context.tasks.wait_idle()


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread(qapp) -> Iterator[None]:
    """As in the application (ui/opening.py): cyclic garbage is collected on the GUI thread
    only, never by a database worker that would destroy a Qt object there (a segmentation
    fault seen in CI); what the test left is collected here, on the GUI thread, before
    CPython collects again on its own. What survives is then frozen out of the
    collector's sight, as the application freezes its start-up heap: a full collection
    walks every object not frozen, and after the rest of the suite (gigabytes of heap)
    that took seconds per test."""
    import gc

    from ui.gui_thread_gc import GuiThreadCollector

    collector = qapp.findChild(GuiThreadCollector) or GuiThreadCollector(qapp)
    collector.start()
    yield
    gc.collect()
    gc.freeze()
    collector.stop()


@pytest.fixture(autouse=True)
def own_window_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Window sizes remembered by one test (QSettings) are not seen by the next one."""
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, str(folder))
    yield
