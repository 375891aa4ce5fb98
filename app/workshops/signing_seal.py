"""Sealing the signed sheet with pyHanko, and checking a sealed sheet years later.

The seal key is created once per profile, self-signed, and kept under the profile
(``sceau/``, the private key readable by its owner only). It proves the sheet has
not changed since this laptop sealed it; it is not a qualified seal: a CAE that
needs one replaces these two files by its own certificate (README, "Émargement
électronique"). The record (strokes, times, digests) is embedded in the PDF as
``emargement.json`` before sealing, so the seal covers it too.

``python -m app verify-sheet FICHIER`` prints :func:`report_lines` (French: an
auditor or an administrator reads it).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from app import clock
from app.errors import ConflictError
from app.pdf.signed_sheet import render_signed_sheet
from app.pdf.workshop_blocks import Organisation
from app.uow import UnitOfWorkFactory
from app.workshops import attendance
from app.workshops.attendance import Mark
from app.workshops.signing import (
    EarlierSignature,
    Signature,
    SignerRole,
    SigningSession,
    record_problems,
    shape_fingerprint,
)
from app.workshops.workshop_documents import session_folder
from app.workshops.workshop_values import PRESENT, SlotInfo

SEAL_FOLDER = "sceau"
KEY_FILE = "sceau-cle.pem"
CERT_FILE = "sceau-certificat.pem"
RECORD_NAME = "emargement.json"
FIELD_NAME = "Sceau"
CERT_YEARS = 30  # longer than the 10 years funders keep sheets for


@dataclass(frozen=True)
class SealKey:
    key_path: Path
    cert_path: Path


def seal_key(profile_root: Path, organisation: str = "") -> SealKey:
    """The profile's seal key and certificate, created (self-signed) the first time."""
    folder = profile_root / SEAL_FOLDER
    key = SealKey(folder / KEY_FILE, folder / CERT_FILE)
    if key.key_path.exists() and key.cert_path.exists():
        return key
    folder.mkdir(parents=True, exist_ok=True)
    private = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, "Sceau Permanence (auto-signé)")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    name = x509.Name(attributes)
    start = clock.now() - dt.timedelta(days=1)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(private, hashes.SHA256())
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created 0600 from the start (never readable by others, even for an instant).
    descriptor = os.open(key.key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    key.cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key


class ClockedPdfSigner(signers.PdfSigner):
    """pyHanko dates the seal with the machine's clock; Permanence's clock is app.clock."""

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = clock.now()
        return session


def embed_record(pdf: bytes, record: dict[str, Any]) -> IncrementalPdfFileWriter:
    """The PDF with the record attached as ``emargement.json``, ready to be signed (the
    signature then covers the record too)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    data = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1).encode()
    embedded = embed.EmbeddedFileObject.from_file_data(
        writer, data=data, mime_type="application/json"
    )
    spec = embed.FileSpec(
        file_spec_string=RECORD_NAME,
        embedded_data=embedded,
        description="Tracés des signatures, heures de capture et empreintes",
        af_relationship=pdf_name("/Data"),
    )
    embed.embed_file(writer, spec)
    return writer


def seal_pdf(pdf: bytes, record: dict[str, Any], key: SealKey, *, location: str = "") -> bytes:
    """Embed the record as JSON and seal the whole file."""
    writer = embed_record(pdf, record)
    signer = signers.SimpleSigner.load(str(key.key_path), str(key.cert_path))
    if signer is None:
        raise ConflictError("seal_key_unreadable", path=str(key.key_path))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        reason="Feuille d'émargement signée sur le poste",
        location=location or None,
    )
    out = io.BytesIO()
    ClockedPdfSigner(meta, signer=signer).sign_pdf(writer, output=out)
    return out.getvalue()


def sheet_path(documents: Path, session: SigningSession) -> Path:
    slot = session.slot
    half = "matin" if slot.starts_at.hour < 13 else "apres-midi"
    name = f"emargement-signe-{slot.starts_at.date().isoformat()}-{half}.pdf"
    return session_folder(documents, session.detail) / name


def earlier_signatures(documents: Path, session: SigningSession) -> list[EarlierSignature]:
    """The signatures of the session's sheets already sealed, to catch copies across half-days."""
    found: list[EarlierSignature] = []
    folder = session_folder(documents, session.detail)
    for path in sorted(folder.glob("emargement-signe-*.pdf")):
        record = read_record(path.read_bytes())
        for entry in (record or {}).get("signatures", []):
            signature = Signature.from_record(entry)
            found.append(EarlierSignature(shape_fingerprint(signature.strokes), signature.name))
    return found


def ensure_not_sealed(documents: Path, session: SigningSession) -> None:
    """A half-day countersigned and sealed is frozen: it cannot be signed again."""
    if sheet_path(documents, session).exists():
        raise ConflictError("slot_already_sealed")


def seal_session(
    uow_factory: UnitOfWorkFactory,
    documents: Path,
    profile_root: Path,
    session: SigningSession,
    organisation: Organisation,
) -> Path:
    """Write the sealed sheet of a countersigned half-day; its signers are marked present."""
    ensure_not_sealed(documents, session)
    record = session.record(organisation.name)
    layout = io.BytesIO()
    render_signed_sheet(layout, session.detail, session.slot, record, organisation)
    key = seal_key(profile_root, organisation.name)
    sealed = seal_pdf(layout.getvalue(), record, key, location=organisation.town)
    path = sheet_path(documents, session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(sealed)
    if session.on_capture is None:
        # A session not kept in the database (signature_store marks as it stores).
        _mark_signers_present(uow_factory, session.slot, session.signatures)
    return path


def _mark_signers_present(
    uow_factory: UnitOfWorkFactory, slot: SlotInfo, signatures: list[Signature]
) -> None:
    # A signature may come in the margin before the slot starts: attendance then
    # refuses "not started", so the mark is dated at the slot's start at the earliest.
    marks = [
        Mark(slot.id, s.signer_id, PRESENT) for s in signatures if s.role == SignerRole.PARTICIPANT
    ]
    moment = max(attendance.local_now(), slot.starts_at)
    attendance.mark_many(uow_factory, marks, now=moment)


# Verifying ----------------------------------------------------------------------------


@dataclass
class SheetReport:
    """What ``verify-sheet`` found; ``ok`` only when the seal and every digest hold."""

    sealed: bool = False
    intact: bool = False
    whole_file: bool = False
    trusted: bool = False
    sealed_at: dt.datetime | None = None
    sealer: str = ""
    record_found: bool = False
    signatures: int = 0
    # RFC 3161 timestamp of the seal (the siège's seal carries one, siege/sealing.py).
    timestamped: bool = False
    timestamp_at: dt.datetime | None = None
    timestamp_trusted: bool = False
    tsa: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.sealed
            and self.intact
            and self.whole_file
            and self.record_found
            and not self.problems
        )


def read_record(pdf: bytes) -> dict[str, Any] | None:
    """The embedded ``emargement.json`` of a sealed sheet (None when absent or unreadable)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for index in range(0, len(names), 2):
            if str(names[index]) == RECORD_NAME:
                stream = names[index + 1].get_object()["/EF"]["/F"].get_object()
                loaded = json.loads(stream.data.decode())
                return loaded if isinstance(loaded, dict) else None
    except Exception:  # a damaged PDF must give a report, not a traceback
        return None
    return None


def verify_sheet(pdf: bytes, trusted_certs: list[Path] | None = None) -> SheetReport:
    """Check the seal (intact, covering the whole file, by a known certificate) and the
    record's digests; everything found wrong is listed in ``problems`` (codes)."""
    report = SheetReport()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception:  # not a PDF, or one too damaged to read: that is the finding
        report.problems.append("unreadable")
        return report
    if not embedded:
        report.problems.append("not_sealed")
    else:
        report.sealed = True
        roots = [load_cert_from_pemder(str(p)) for p in trusted_certs or [] if p.exists()]
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            status = validate_pdf_signature(embedded[-1], context, ts_validation_context=context)
        except Exception as error:  # any failure to validate is a finding, said in the report
            report.problems.append(f"seal_invalid:{error}")
        else:
            _read_status(report, status)
    record = read_record(pdf)
    if record is None:
        report.problems.append("record_missing")
    else:
        report.record_found = True
        report.signatures = len(record.get("signatures", []))
        report.problems += record_problems(record)
    return report


def _read_status(report: SheetReport, status: PdfSignatureStatus) -> None:
    report.intact = bool(status.intact and status.valid)
    report.whole_file = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    report.trusted = bool(status.trusted)
    report.sealed_at = status.signer_reported_dt
    subject = status.signing_cert.subject.native
    report.sealer = str(subject.get("organization_name") or subject.get("common_name") or "")
    stamp = status.timestamp_validity
    if stamp is not None:
        report.timestamped = True
        report.timestamp_at = stamp.timestamp
        report.timestamp_trusted = bool(stamp.intact and stamp.valid and stamp.trusted)
        tsa = stamp.signing_cert.subject.native
        report.tsa = str(tsa.get("organization_name") or tsa.get("common_name") or "")
        if not (stamp.intact and stamp.valid):
            report.problems.append("timestamp_broken")
    if not report.intact:
        report.problems.append("seal_broken")
    elif not report.whole_file:
        report.problems.append("changed_after_seal")


PROBLEM_WORDS = {
    "unreadable": "Le fichier n'est pas un PDF lisible.",
    "not_sealed": "Le document ne porte aucun sceau.",
    "seal_broken": "Le sceau est rompu : le document a été modifié après son scellement.",
    "changed_after_seal": "Des modifications ont été ajoutées au document après son scellement.",
    "record_missing": "L'enregistrement des signatures (emargement.json) est absent.",
    "record_changed": "L'empreinte de l'enregistrement ne correspond plus à son contenu.",
    "unknown_format": "L'enregistrement des signatures n'est pas dans un format connu.",
    "timestamp_broken": "L'horodatage du sceau ne correspond plus au document.",
    "pack_manifest_mismatch": "Le fichier ne correspond plus au manifeste du dossier de preuve.",
}


def report_lines(report: SheetReport, name: str) -> list[str]:
    """The report in French, one line each (what ``verify-sheet`` prints)."""
    lines = [f"Feuille : {name}"]
    if report.sealed and report.sealed_at is not None:
        moment = clock.to_local(report.sealed_at).strftime("%d/%m/%Y à %H:%M:%S")
        lines.append(f"Scellée le {moment} par « {report.sealer} ».")
    if report.timestamped and report.timestamp_at is not None:
        moment = clock.to_local(report.timestamp_at).strftime("%d/%m/%Y à %H:%M:%S")
        trust = "reconnue" if report.timestamp_trusted else "non reconnue ici"
        lines.append(f"Horodatage RFC 3161 du {moment} par « {report.tsa} » (autorité {trust}).")
    if report.sealed:
        lines.append(
            "Certificat du sceau reconnu."
            if report.trusted
            else "Certificat du sceau non reconnu ici (auto-signé, d'un autre poste) : "
            "l'intégrité est vérifiée, pas l'identité du poste."
        )
    if report.record_found:
        lines.append(
            f"{report.signatures} signature(s) enregistrée(s), tracés et empreintes joints."
        )
    for problem in report.problems:
        code, _, detail = problem.partition(":")
        if code == "strokes_changed":
            lines.append(
                f"Les tracés de la signature de {detail} ne correspondent plus à leur empreinte."
            )
        elif code == "chain":
            lines.append(
                "La chaîne d'empreintes des signatures enregistrées était rompue au "
                f"scellement ({detail})."
            )
        elif code == "seal_invalid":
            lines.append(f"Le sceau ne peut pas être vérifié ({detail}).")
        else:
            lines.append(PROBLEM_WORDS.get(code, code))
    lines.append(
        "Résultat : feuille INTACTE, sceau et empreintes vérifiés."
        if report.ok
        else "Résultat : feuille NON CONFORME."
    )
    return lines
