"""Network export: the year's figures in the network's terms, one line per code, each
carrying the CAE's SIREN so files of several CAEs stack and sum."""

from __future__ import annotations

import csv
import subprocess
import sys

from app.exports.network import export_network
from app.indicators.network import network
from app.indicators.period import Filters, Period
from app.models import CaeIdentity, Person
from tests.clock_support import child_env
from tests.indicators_data import Builder, D

YEAR = 2025


def _history(uow) -> None:
    with uow() as unit:
        identity = unit.session.query(CaeIdentity).first() or CaeIdentity()
        identity.name, identity.siren = "Coopérative Champagne Entreprendre", "123456782"
        unit.session.add(identity)
        unit.commit()
    with Builder(uow) as b:
        alice = b.person("Martin", "Alice")  # received twice, CAPE then CESA in 2025
        b.intake(alice, D(2025, 1, 10), "reflexion", town="Reims")
        b.intake(alice, D(2025, 2, 10), "admis", town="Reims")
        b.stage(alice, "cape", D(2025, 3, 1))
        b.stage(alice, "salarie", D(2025, 9, 1), contract_type="CESA")
        b.invoice(alice, D(2025, 10, 1), 150000)
        b.invoice(alice, D(2025, 11, 1), 20000, kind="avoir")
        bruno = b.person("Bernard", "Bruno")  # CDI since 2024, associé in 2025
        b.invoice(bruno, D(2025, 1, 20), 5000, kind="avoir")  # only a credit note
        b.payment(b.invoice(bruno, D(2024, 12, 1), 9000), D(2025, 1, 5), 10800)  # only cashed
        b.stage(bruno, "salarie", D(2024, 1, 1), contract_type="CDI")
        b.stage(bruno, "associe", D(2025, 6, 1))
        chloe = b.person("Collin", "Chloé")  # received in 2025, left after her CAPE
        b.intake(chloe, D(2025, 1, 5), "admis")
        b.stage(chloe, "cape", D(2024, 2, 1))
        b.stage(chloe, "sortie", D(2025, 4, 1), outcome="creation_entreprise")
        denis = b.person("Durand", "Denis")  # moved away
        b.stage(denis, "salarie", D(2023, 1, 1), contract_type="CDI")
        b.stage(denis, "sortie", D(2025, 5, 5), exit_reason_code="demenagement")
        gone = b.person("Effacé", "E")  # deleted: counts nowhere
        b.intake(gone, D(2025, 3, 3))
        b.stage(gone, "cape", D(2025, 3, 3))
        b.delete(Person, gone)
        late = b.person("Futur", "F")  # 2026: not in 2025
        b.intake(late, D(2026, 1, 2), "admis")
        b.stage(late, "cape", D(2026, 1, 3))


def test_network_figures_of_a_year(uow) -> None:
    _history(uow)
    figures = network(uow, Filters(Period.year(YEAR)))
    assert figures.received == 2  # Alice (twice) and Chloé
    assert figures.accompanied == 4  # Alice, Bruno, Chloé, Denis
    assert (figures.entered_cape, figures.became_salaries, figures.new_cesa) == (1, 1, 1)
    assert figures.exits == 2
    assert figures.invoiced_cents == 125000
    assert figures.invoicing_entrepreneurs == 1  # Alice; Bruno's lone credit note is not

    assert (figures.salaries, figures.associes) == (1, 1)  # Alice, Bruno on 31/12


def test_network_csv_lines_carry_the_cae_and_stable_codes(uow, tmp_path) -> None:
    _history(uow)
    path = export_network(uow, YEAR, tmp_path / "reseau-2025.csv", today=D(2026, 1, 15))
    rows = list(csv.reader(path.read_bytes().decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["SIREN", "CAE", "Année", "Code", "Indicateur", "Nombre", "Montant"]
    assert {r[0] for r in rows[1:]} == {"123456782"}
    by_code = {r[3]: (r[5], r[6]) for r in rows[1:]}
    assert by_code["personnes_recues"] == ("2", "")
    assert by_code["nouveaux_cesa"] == ("1", "")
    assert by_code["sorties_creation_entreprise"] == ("1", "")
    assert by_code["sorties_autres"] == ("1", "")  # Denis moved away
    assert by_code["ca_facture_ht"] == ("", "1250,00")
    assert by_code["entrepreneurs_facturant"] == ("1", "")
    # The outcome lines add up to the exits.
    outcomes = [int(v[0]) for c, v in by_code.items() if c.startswith("sorties_")]
    assert sum(outcomes) == int(by_code["sorties"][0])


def test_export_network_command_writes_the_year_in_french(tmp_path) -> None:
    from app.profile import ProfileSettings, create_profile

    root = tmp_path / "profil"
    made = create_profile(root, ProfileSettings(display_name="Test"))
    try:
        _history(made.uow)
    finally:
        made.close()  # the command opens the profile itself (one process at a time)
    target = tmp_path / "reseau-2025.csv"
    command = [sys.executable, "-m", "app", "--profile", str(root), "export-network"]
    done = subprocess.run(
        [*command, "--year", "2025", str(target)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Export réseau 2025 enregistré : {target}"
    rows = list(csv.reader(target.read_bytes().decode("utf-8-sig").splitlines(), delimiter=";"))
    by_code = {r[3]: (r[5], r[6]) for r in rows[1:]}
    assert by_code["personnes_recues"] == ("2", "")
    assert by_code["ca_facture_ht"] == ("", "1250,00")
    wrong = subprocess.run(
        [*command, "--year", "2025", str(tmp_path / "reseau.pdf")],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert wrong.returncode == 1
    assert "Format non pris en charge (.pdf)" in wrong.stderr
    missing = subprocess.run(
        [*command, str(target)], capture_output=True, text=True, env=child_env(), timeout=120
    )
    assert missing.returncode == 2  # argparse: --year is required, said in French
    assert "arguments obligatoires manquants : --year" in missing.stderr
