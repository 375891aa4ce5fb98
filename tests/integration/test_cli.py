"""The command lines speak French and prepare a laptop alone (issue 14, item 9).

Every case runs the real ``python -m app`` / ``python -m siege`` in a subprocess, the
laptop's against a real siège process on loopback: help and argument errors in French,
a new folder made into an enrolled, encrypted profile by one command (``--enroll`` as
the siège spells it, options after the sub-command), a refused enrolment leaving no
half-made profile, and the ``--json`` outputs scripts read.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ProfilePaths, load_settings
from app.errors import ProfileError
from app.profile import open_profile
from app.reference import reference
from tests.sync_support.processes import ROOT, SiegeProcess, python_env

PASSPHRASE = "Langres au matin 2026"


def _run(
    *args: str, passphrase: str | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    env = python_env()
    env.pop("PERMANENCE_PASSPHRASE", None)
    if passphrase is not None:
        env["PERMANENCE_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,  # no person at the terminal: nothing may be asked
    )


def _enrolment_code(server: SiegeProcess, name: str) -> dict[str, str]:
    done = _run(
        "siege", "--database-url", server.database_url, "device", "enroll", name,
        "--antenne", "Saint-Dizier", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, str] = json.loads(done.stdout)
    return result


def test_help_and_argument_errors_are_in_french() -> None:
    for command in (("app", "--help"), ("app", "sync", "--help"), ("siege", "--help"),
                    ("siege", "device", "enroll", "--help")):  # fmt: skip
        shown = _run(*command)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith("utilisation : python -m "), shown.stdout
        assert "afficher cette aide et quitter" in shown.stdout
        for english in ("usage:", "show this help", "positional arguments", "default:"):
            assert english not in shown.stdout, (command, english)
    assert "--enroll ADRESSE CODE" in _run("app", "sync", "--help").stdout
    wrong = _run("app", "generate", "--size", "énorme", "/tmp/nulle-part")
    assert wrong.returncode == 2
    assert "erreur : argument --size : choix invalide : 'énorme'" in wrong.stderr
    missing = _run("siege", "device", "enroll", "Portable")
    assert missing.returncode == 2
    assert "arguments obligatoires manquants : --antenne" in missing.stderr


def test_one_command_makes_a_new_folder_an_enrolled_encrypted_profile(
    tmp_path: Path, siege_process: SiegeProcess
) -> None:
    code = _enrolment_code(siege_process, "Portable Langres")["code"]
    folder = tmp_path / "nouveau-portable"
    enrolled = _run(
        "app", "--profile", str(folder), "sync", "--enroll", siege_process.url, code,
        "--first-name", "Aline", "--last-name", "Poirier", "--permanence", "Langres",
        passphrase=PASSPHRASE,
    )  # fmt: skip
    assert enrolled.returncode == 0, enrolled.stderr
    assert "profil créé : Langres" in enrolled.stdout
    assert "poste inscrit : Portable Langres" in enrolled.stdout
    settings = load_settings(ProfilePaths(folder))
    assert settings.encrypted
    with pytest.raises(ProfileError) as refused:
        open_profile(folder)
    assert refused.value.code == "passphrase_required"
    # Options after the sub-command; the summary as JSON for a scheduled task.
    synced = _run("app", "sync", "--profile", str(folder), "--json", passphrase=PASSPHRASE)
    assert synced.returncode == 0, synced.stderr
    summary = json.loads(synced.stdout)
    assert summary["ok"] is True and summary["refused"] == []
    profile = open_profile(folder, PASSPHRASE)
    try:
        names = {(a.first_name, a.last_name) for a in reference.list_accompagnateurs(profile.uow)}
        assert ("Aline", "Poirier") in names
        assert profile.settings.permanence_id is not None
    finally:
        profile.close()
    # The siège's own list, for scripts: the laptop is enrolled.
    listed = _run("siege", "--database-url", siege_process.database_url, "device", "list",
                  "--json")  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    (device,) = [d for d in json.loads(listed.stdout) if d["name"] == "Portable Langres"]
    assert device["enrolled_at"] is not None


def test_a_refused_enrolment_leaves_no_half_made_profile(
    tmp_path: Path, siege_process: SiegeProcess
) -> None:
    folder = tmp_path / "portable"
    refused = _run(
        "app", "--profile", str(folder), "sync", "--enrol", siege_process.url, "CODE-FAUX",
        "--first-name", "Aline", "--last-name", "Poirier", "--no-encrypt",
    )  # fmt: skip
    assert refused.returncode == 1
    assert "inscription impossible" in refused.stderr
    assert "le profil qui venait d'être créé a été retiré" in refused.stderr
    assert not folder.exists()
    # A folder the user made empty for it stays, empty.
    empty = tmp_path / "vide"
    empty.mkdir()
    again = _run(
        "app", "--profile", str(empty), "sync", "--enroll", siege_process.url, "CODE-FAUX",
        "--first-name", "Aline", "--last-name", "Poirier", "--no-encrypt",
    )  # fmt: skip
    assert again.returncode == 1
    assert empty.is_dir() and not any(empty.iterdir())
    # Without a passphrase and nobody at the terminal: said, and nothing created.
    no_secret = _run(
        "app", "--profile", str(folder), "sync", "--enrol", siege_process.url, "CODE",
        "--first-name", "Aline", "--last-name", "Poirier",
    )  # fmt: skip
    assert no_secret.returncode == 2
    assert "phrase de passe manquante" in no_secret.stderr
    assert not folder.exists()
    # A plain sync on an empty folder says how to prepare it.
    plain = _run("app", "--profile", str(folder), "sync")
    assert plain.returncode == 2
    assert "aucun profil dans" in plain.stderr and "--enrol ADRESSE CODE" in plain.stderr


def test_init_creates_a_profile_without_the_window(tmp_path: Path) -> None:
    folder = tmp_path / "poste"
    created = _run(
        "app", "init", "--profile", str(folder), "--first-name", "Marc", "--last-name", "Henry",
        "--permanence", "Chaumont", "--name", "Poste de Chaumont", passphrase=PASSPHRASE,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert load_settings(ProfilePaths(folder)).display_name == "Poste de Chaumont"
    again = _run("app", "init", "--profile", str(folder), "--first-name", "Marc",
                 "--last-name", "Henry", passphrase=PASSPHRASE)  # fmt: skip
    assert again.returncode == 2
    assert "un profil existe déjà" in again.stderr
    unknown = _run("app", "init", "--profile", str(tmp_path / "autre"), "--first-name", "M",
                   "--last-name", "H", "--permanence", "Paris", "--no-encrypt")  # fmt: skip
    assert unknown.returncode == 2
    assert "permanence inconnue « Paris »" in unknown.stderr and "Langres" in unknown.stderr
