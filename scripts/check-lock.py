"""Check that this Python environment holds exactly requirements/lock.txt.

Run with the environment's interpreter (``.venv/bin/python scripts/check-lock.py``):
every package the lock selects for this platform (its markers evaluated here) must be
installed at the locked version, and nothing else may be installed besides pip and
Permanence itself. ``--prune`` first uninstalls the packages the lock no longer lists
(pip installs from a requirements file but never removes what a new lock dropped).
Exit status 0 when the environment matches, 1 otherwise. scripts/bootstrap.sh runs it
after each installation, scripts/build-bundle before building.
README, "Dependencies and the lock file".
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import sysconfig
from importlib.metadata import distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
# pip comes with the environment (python -m venv); the project is installed from its folder.
NOT_LOCKED = {"pip", "permanence"}


def locked_versions(lock: Path) -> dict[str, Version]:
    """The ``name==version`` pins of ``lock`` whose markers hold on this interpreter."""
    pins: dict[str, Version] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        # uv writes one requirement per unindented line; hashes and "# via" are indented.
        if not line or line[0] in " #-":
            continue
        requirement = Requirement(line.removesuffix("\\").strip())
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        (specifier,) = requirement.specifier
        pins[canonicalize_name(requirement.name)] = Version(specifier.version)
    return pins


def installed_versions() -> dict[str, Version]:
    """The distributions in this environment's site-packages (not the user's, not the repo)."""
    paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    return {
        canonicalize_name(dist.metadata["Name"]): Version(dist.version)
        for dist in distributions(path=paths)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prune", action="store_true", help="uninstall what the lock omits")
    args = parser.parse_args()

    pins = locked_versions(LOCK)
    installed = installed_versions()
    extra = sorted(set(installed) - set(pins) - NOT_LOCKED)
    if args.prune and extra:
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", *extra],
            check=True,
        )
        installed = installed_versions()
        extra = sorted(set(installed) - set(pins) - NOT_LOCKED)

    problems = [
        f"  {name} : absent (verrouillé {pins[name]})" for name in pins if name not in installed
    ]
    problems += [
        f"  {name} : {installed[name]} installé, {pins[name]} verrouillé"
        for name in pins
        if name in installed and installed[name] != pins[name]
    ]
    problems += [f"  {name} : installé mais absent du verrou" for name in extra]
    if problems:
        print(f"L'environnement Python ne correspond pas à {LOCK.relative_to(ROOT)} :")
        print("\n".join(sorted(problems)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
