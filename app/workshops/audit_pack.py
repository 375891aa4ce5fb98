"""The audit pack of a workshop session (issue 16, item 5; docs/signing.md).

One ZIP file an auditor or a funder can check alone, years later: for each signed
half-day, the sealed PDF, its machine-readable record (``…-enregistrement.json``: the
strokes, times, digests, hash chain, closed marks and plausibility flags) and the
verification report (French text); plus ``verification.json`` (every sheet's result)
and ``manifeste.json`` (SHA-256 of every file). ``python -m app verify-sheet PACK.zip``
checks a pack again.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import clock
from app.workshops.signing_seal import SheetReport, read_record, report_lines, verify_sheet

MANIFEST = "manifeste.json"
VERIFICATION = "verification.json"
README = "LISEZMOI.txt"


@dataclass(frozen=True)
class SealedSheet:
    name: str  # file name, e.g. "emargement-2026-03-12-matin.pdf"
    pdf: bytes


def report_data(report: SheetReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "sealed": report.sealed,
        "intact": report.intact,
        "whole_file": report.whole_file,
        "trusted": report.trusted,
        "sealer": report.sealer,
        "sealed_at": report.sealed_at.isoformat() if report.sealed_at else None,
        "timestamped": report.timestamped,
        "timestamp_at": report.timestamp_at.isoformat() if report.timestamp_at else None,
        "timestamp_trusted": report.timestamp_trusted,
        "tsa": report.tsa,
        "signatures": report.signatures,
        "problems": report.problems,
    }


def build_pack(title: str, sheets: Iterable[SealedSheet], trusted_certs: list[Path]) -> bytes:
    """The ZIP of the pack (bytes), every sheet verified as it is packed."""
    files: dict[str, bytes] = {}
    results: dict[str, Any] = {}
    text = [f"Dossier de preuve — {title}", f"Constitué le {clock.localnow():%d/%m/%Y à %H:%M}", ""]
    for sheet in sheets:
        stem = sheet.name.removesuffix(".pdf")
        report = verify_sheet(sheet.pdf, trusted_certs)
        record = read_record(sheet.pdf) or {}
        files[sheet.name] = sheet.pdf
        files[f"{stem}-enregistrement.json"] = _json(record)
        lines = report_lines(report, sheet.name)
        flags = record.get("flags", [])
        if flags:
            lines.append("Signalements de vraisemblance (à examiner, non bloquants) :")
            lines += [f"  - {_flag_text(flag)}" for flag in flags]
        files[f"{stem}-verification.txt"] = ("\n".join(lines) + "\n").encode()
        results[sheet.name] = {**report_data(report), "flags": flags}
        text += [*lines, ""]
    files[VERIFICATION] = _json(results)
    files[README] = ("\n".join(text)).encode()
    manifest = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    files[MANIFEST] = _json(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def verify_pack(data: bytes, trusted_certs: list[Path]) -> list[tuple[str, SheetReport]]:
    """Each sheet of a pack verified again; a file changed against the manifest, or
    missing, is reported as a problem of the sheet it belongs to."""
    found: list[tuple[str, SheetReport]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read(MANIFEST)) if MANIFEST in names else {}
        for name in sorted(n for n in names if n.endswith(".pdf")):
            content = archive.read(name)
            report = verify_sheet(content, trusted_certs)
            if manifest.get(name) != hashlib.sha256(content).hexdigest():
                report.problems.append("pack_manifest_mismatch")
            found.append((name, report))
    return found


def _flag_text(flag: dict[str, Any]) -> str:
    if flag.get("code") == "too_identical_self":
        return f"{flag.get('signer')} : signature trop identique à une autre demi-journée"
    return f"{flag.get('signer')} : signature presque identique à celle de {flag.get('name')}"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1).encode()
