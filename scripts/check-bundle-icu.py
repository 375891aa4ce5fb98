"""Check the bundle's Qt + ICU (possibly the reduced ICU data of packaging/shrink_icu.py)
on what the application gets from ICU: French collation through QCollator (sorting, and
QFileDialog's file lists), case mapping, time-zone names and a single-byte encoding.

The bundle has no interpreter to run a script with, so this runs the virtual
environment's PySide6 bindings (same version) over the bundle's own Qt and ICU
libraries: scripts/build-bundle starts it with those preloaded (LD_PRELOAD; the bindings'
RPATH would win over LD_LIBRARY_PATH), and it verifies in /proc/self/maps that those
are the libraries loaded. Linux only. Prints "ok" or exits non-zero with the reason.
"""

import glob
import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QCollator, QLocale, QStringDecoder, QTimeZone

lib_dir = os.path.realpath(sys.argv[1])
maps = Path("/proc/self/maps").read_text()
icu = [os.path.basename(p) for p in glob.glob(os.path.join(lib_dir, "libicu*.so.*"))]
for lib in ("libQt6Core.so.6", *icu):
    if os.path.join(lib_dir, lib) not in maps:
        sys.exit(f"{lib} was not loaded from {lib_dir}")

failures = []
collator = QCollator(QLocale(QLocale.Language.French, QLocale.Country.France))
words = [
    "zèbre",
    "Émile",
    "Brunet",
    "été",
    "Bénard",
    "eux",
    "cote",
    "côte",
    "Coté",
    "œuf",
    "ça",
    "cabane",
]
got = sorted(words, key=collator.sortKey)
want = [
    "Bénard",
    "Brunet",
    "ça",
    "cabane",
    "cote",
    "Coté",
    "côte",
    "Émile",
    "été",
    "eux",
    "œuf",
    "zèbre",
]
if got != want:
    failures.append(f"QCollator fr_FR: {got}")
collator.setNumericMode(True)  # as QFileSystemModel sorts file names
if sorted(["facture 10.pdf", "facture 9.pdf", "Facture 2.pdf"], key=collator.sortKey) != [
    "Facture 2.pdf",
    "facture 9.pdf",
    "facture 10.pdf",
]:
    failures.append("QCollator numeric mode")
if QLocale(QLocale.Language.French).toUpper("élise œuvre straße") != "ÉLISE ŒUVRE STRASSE":
    failures.append("QLocale.toUpper")
name = QTimeZone(QByteArray(b"Europe/Paris")).displayName(
    QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, QLocale(QLocale.Language.French)
)
if "Europe centrale" not in name:
    failures.append(f"time-zone name: {name!r}")
# (PySide6 cannot call a QStringDecoder; packaging/shrink_icu.py decodes through ICU.)
if not QStringDecoder("windows-1252").isValid() or not QStringDecoder("ISO-8859-15").isValid():
    failures.append("windows-1252 / ISO-8859-15 decoders")
if failures:
    sys.exit("; ".join(failures))
print("ok")
