"""A laptop process killed mid-write (SIGKILL) loses nothing it had committed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import select

from app.config import ProfileSettings
from app.models import Person
from app.profile import create_profile, open_profile
from tests.clock_support import child_env

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.models import Person
    from app.profile import open_profile

    profile = open_profile(Path(sys.argv[1]))
    n = 0
    while True:
        with profile.uow() as uow:
            person = Person(first_name="Écrit", last_name=f"Avant-crash-{n}", notes="x" * 2000)
            uow.session.add(person)
            uow.commit()
        print(person.id, flush=True)  # only after the commit returned
        n += 1
    """
)


def test_committed_rows_survive_repeated_sigkill(tmp_path: Path) -> None:
    root = tmp_path / "profil"
    create_profile(root, ProfileSettings()).close()
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = child_env()
    rng = random.Random(20261126)
    acknowledged: list[str] = []
    for _round in range(6):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(root)], stdout=subprocess.PIPE, text=True, env=env
        )
        assert proc.stdout is not None
        # Let it commit a random number of rows, then kill it without warning a random
        # moment later, in the middle of its next writes. Counting commits, not sleeping a
        # fixed time from the start, keeps every round writing on a loaded machine where
        # starting Python alone can take seconds.
        for _ in range(rng.randint(4, 12)):
            line = proc.stdout.readline()
            assert line, "the writer stopped before it was killed"
            acknowledged.append(line.strip())
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate()
        acknowledged.extend(line for line in rest.split() if line)
    assert len(acknowledged) > 20
    profile = open_profile(root)
    try:
        assert profile.integrity_ok()
        with profile.uow() as uow:
            stored = set(uow.session.scalars(select(Person.id)))
        missing = [i for i in acknowledged if i not in stored]
        assert missing == []
    finally:
        profile.close()
