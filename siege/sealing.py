"""The siège seals each countersigned half-day's sheet (issue 16, item 2; docs/signing.md).

When a laptop's push brings a trainer's countersignature, the half-day is queued in
``siege_sheet_seal``; the sealing pass (after that push, or ``python -m siege
seal-sheets``) rebuilds the sheet from the synced signatures (app/workshops/
sheet_record.py, app/pdf/signed_sheet.py), embeds the record and signs the PDF:
PAdES (ETSI.CAdES.detached) with the CAE's certificate and an RFC 3161 timestamp from
the CAE's timestamping authority (TSA). The sealed PDF stays on the siège; the synced
``sheet_seal`` row tells laptops when and by whom it was sealed.

A failure (TSA unreachable, certificate unreadable, a row missing) is a fault: kept
with its error, retried later with a growing delay, never dropped.

Configuration (the siège's environment or the TOML file named by
``PERMANENCE_SEAL_CONFIG``, section ``[sceau]``): ``key``, ``cert`` (PEM or DER),
optional ``chain`` (the CA certificates up to the root) and ``passphrase``, and
``tsa_url``. README, "Émargement électronique — administrateur".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.ids import deterministic_id
from app.models.base import Base
from app.pdf.signed_sheet import render_signed_sheet
from app.uow import UnitOfWorkFactory
from app.workshops import workshop_documents, workshops
from app.workshops.sheet_record import slot_record
from app.workshops.signing_seal import ClockedPdfSigner, embed_record
from siege.feed import touch_row
from siege.tables import counter, sheet_seal_store

log = logging.getLogger(__name__)

CONFIG_ENV = "PERMANENCE_SEAL_CONFIG"
ENV_KEYS = {
    "key": "PERMANENCE_SEAL_KEY",
    "cert": "PERMANENCE_SEAL_CERT",
    "tsa_url": "PERMANENCE_TSA_URL",
}
OPTIONAL_KEYS = {"chain": "PERMANENCE_SEAL_CHAIN", "passphrase": "PERMANENCE_SEAL_PASSPHRASE"}
FIELD_NAME = "SceauCAE"
AUTHOR = "Siège (scellement)"  # created_by of the published rows: a label for display
PENDING, SEALED = "pending", "sealed"
MAX_DELAY = dt.timedelta(hours=6)


class SealNotConfigured(Exception):
    """No seal certificate or TSA configured on this siège."""


@dataclass(frozen=True)
class SealConfig:
    key: str
    cert: str
    tsa_url: str
    chain: tuple[str, ...] = ()
    passphrase: str = field(default="", repr=False)  # never in a log or a traceback


def load_config(environ: dict[str, str] | None = None) -> SealConfig:
    env = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    path = env.get(CONFIG_ENV)
    if path:
        with Path(path).open("rb") as handle:
            values.update(tomllib.load(handle).get("sceau", {}))
    for name, variable in {**ENV_KEYS, **OPTIONAL_KEYS}.items():
        if env.get(variable):
            values[name] = env[variable]
    missing = [ENV_KEYS[k] for k in ENV_KEYS if not values.get(k)]
    if missing:
        raise SealNotConfigured(", ".join(missing))
    chain = values.get("chain", ())
    if isinstance(chain, str):
        chain = [c for c in chain.split(os.pathsep) if c]
    return SealConfig(
        str(values["key"]),
        str(values["cert"]),
        str(values["tsa_url"]),
        tuple(str(c) for c in chain),
        str(values.get("passphrase", "")),
    )


class RecordingTimeStamper(RequestsHTTPTimeStamper):
    """The TSA client, keeping the time of the last token it received (the seal's time,
    without reading the sealed PDF again)."""

    last_time: dt.datetime | None = None

    async def async_timestamp(self, message_digest: Any, md_algorithm: Any) -> Any:
        token = await super().async_timestamp(message_digest, md_algorithm)
        info = token["content"]["encap_content_info"]["content"].parsed
        moment: dt.datetime = info["gen_time"].native
        self.last_time = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return token


class KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses (and, for RSA, re-validates) the private key at every
    signature — about 90 ms each, twice per seal. The key is parsed once here; other
    mechanisms than RSA PKCS#1 v1.5 and ECDSA go through pyHanko's own code."""

    _kept: Any = None

    @classmethod
    def of(cls, loaded: signers.SimpleSigner) -> KeptKeySigner:
        return cls(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
            signature_mechanism=loaded.signature_mechanism,
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if self._kept is None:
            self._kept = serialization.load_der_private_key(self.signing_key.dump(), None)
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._kept, rsa.RSAPrivateKey):
            return self._kept.sign(data, PKCS1v15(), hash_algo)
        if mechanism == "ecdsa" and isinstance(self._kept, ec.EllipticCurvePrivateKey):
            return self._kept.sign(data, ec.ECDSA(hash_algo))
        return bytes(super().sign_raw(data, digest_algorithm))


@dataclass
class Sealer:
    """The CAE's signing key and certificate, and its TSA."""

    signer: signers.SimpleSigner
    timestamper: RecordingTimeStamper
    tsa_url: str = ""

    @classmethod
    def from_config(cls, config: SealConfig) -> Sealer:
        signer = signers.SimpleSigner.load(
            config.key,
            config.cert,
            ca_chain_files=config.chain or None,
            key_passphrase=config.passphrase.encode() if config.passphrase else None,
        )
        if signer is None:
            raise SealNotConfigured(f"clé ou certificat illisible : {config.key}, {config.cert}")
        kept = KeptKeySigner.of(signer)
        return cls(kept, RecordingTimeStamper(config.tsa_url, timeout=20), config.tsa_url)

    def seal(self, pdf: bytes, record: dict[str, Any], *, location: str = "") -> bytes:
        """Embed the record and sign the whole file: PAdES B-T (signature + timestamp)."""
        writer = embed_record(pdf, record)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason="Feuille d'émargement scellée par la CAE",
            location=location or None,
        )
        out = io.BytesIO()
        ClockedPdfSigner(meta, signer=self.signer, timestamper=self.timestamper).sign_pdf(
            writer, output=out
        )
        return out.getvalue()


def timestamp_of(pdf: bytes) -> dt.datetime:
    """The TSA's time (UTC, naive) in the last signature of a sealed PDF."""
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1]
    for attribute in signature.signer_info["unsigned_attrs"]:
        if attribute["type"].native == "signature_time_stamp_token":
            token = attribute["values"][0]["content"]
            info = token["encap_content_info"]["content"].parsed
            moment: dt.datetime = info["gen_time"].native
            return moment.astimezone(dt.UTC).replace(tzinfo=None)
    raise ValueError("no timestamp in the seal")


# -- the queue -----------------------------------------------------------------------


def queue_closed(conn: Connection) -> int:
    """Queue every countersigned half-day not queued yet; returns how many."""
    signature = Base.metadata.tables["attendance_signature"]
    queued = select(sheet_seal_store.c.slot_id)
    closed = conn.execute(
        select(signature.c.slot_id)
        .where(
            signature.c.role == "formateur",
            signature.c.deleted_at.is_(None),
            signature.c.slot_id.not_in(queued),
        )
        .distinct()
    ).scalars()
    now = clock.utcnow()
    rows = [
        {"slot_id": s, "state": PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now}
        for s in closed
    ]
    if rows:
        conn.execute(insert(sheet_seal_store), rows)
    return len(rows)


@dataclass
class SealReport:
    queued: int = 0
    sealed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def cycle(engine: Engine, sealer: Sealer) -> SealReport:
    """One pass: queue the closed half-days, seal those due. Never raises for one sheet."""
    report = SealReport()
    try:
        with engine.begin() as conn:
            report.queued = queue_closed(conn)
    except IntegrityError:  # queued at the same moment by another process's pass
        log.info("closed half-days queued by another sealing pass")
    with engine.connect() as conn:
        due = list(
            conn.execute(
                select(sheet_seal_store.c.slot_id)
                .where(
                    sheet_seal_store.c.state == PENDING,
                    sheet_seal_store.c.next_attempt_at <= clock.utcnow(),
                )
                .order_by(sheet_seal_store.c.created_at, sheet_seal_store.c.slot_id)
            ).scalars()
        )
    for slot_id in due:
        try:
            seal_slot(engine, sealer, slot_id)
        except Exception as error:  # a fault, kept and retried (docs/signing.md)
            log.warning("sealing of slot %s failed: %s", slot_id, error)
            _failed(engine, slot_id, f"{type(error).__name__}: {error}")
            report.failed += 1
            report.errors.append(f"{slot_id}: {error}")
        else:
            report.sealed += 1
    return report


def seal_slot(engine: Engine, sealer: Sealer, slot_id: str) -> bytes:
    """Seal one half-day's sheet, store it and publish its ``sheet_seal`` row."""
    uow = UnitOfWorkFactory(sessionmaker(engine))
    slot_table = Base.metadata.tables["activity_slot"]
    with engine.connect() as conn:
        activity_id = conn.execute(
            select(slot_table.c.activity_id).where(slot_table.c.id == slot_id)
        ).scalar_one()
    detail = workshops.get_session(uow, activity_id)
    slot = next(s for s in detail.slots if s.id == slot_id)
    organisation = workshop_documents.organisation_of(uow)
    with Session(engine) as session:
        record = slot_record(session, detail, slot, organisation.name)
    layout = io.BytesIO()
    render_signed_sheet(layout, detail, slot, record, organisation)
    sealed = sealer.seal(layout.getvalue(), record, location=organisation.town)
    sealed_at = sealer.timestamper.last_time or timestamp_of(sealed)
    certificate = sealer.signer.signing_cert
    assert certificate is not None  # SimpleSigner.load always has one
    subject = certificate.subject.native
    name = str(subject.get("organization_name") or subject.get("common_name") or "")
    _store(engine, slot_id, sealed, record["sha256"], sealed_at, name, sealer.tsa_url)
    return sealed


def seal_id(slot_id: str) -> str:
    return deterministic_id("sheet-seal", slot_id)


def _store(
    engine: Engine,
    slot_id: str,
    pdf: bytes,
    record_sha256: str,
    sealed_at: dt.datetime,
    sealer: str,
    tsa: str,
) -> None:
    digest = hashlib.sha256(pdf).hexdigest()
    now = clock.utcnow()
    app_seal = Base.metadata.tables["sheet_seal"]
    with engine.begin() as conn:
        state = conn.execute(
            select(sheet_seal_store.c.state)
            .where(sheet_seal_store.c.slot_id == slot_id)
            .with_for_update()
        ).scalar()
        if state == SEALED:  # sealed meanwhile by another pass (the CLI's worker)
            return
        conn.execute(
            update(sheet_seal_store)
            .where(sheet_seal_store.c.slot_id == slot_id)
            .values(
                state=SEALED,
                pdf=pdf,
                pdf_sha256=digest,
                record_sha256=record_sha256,
                sealed_at=sealed_at,
                last_error="",
            )
        )
        row_id = seal_id(slot_id)
        if conn.execute(select(app_seal.c.id).where(app_seal.c.id == row_id)).first() is None:
            conn.execute(
                insert(app_seal).values(
                    id=row_id,
                    slot_id=slot_id,
                    sealed_at=sealed_at,
                    sealer=sealer[:200],
                    tsa=tsa[:200],
                    record_sha256=record_sha256,
                    pdf_sha256=digest,
                    created_at=now,
                    updated_at=now,
                    created_by=AUTHOR,
                    updated_by=AUTHOR,
                )
            )
        # The row enters the change feed like a pushed one (siege/einvoicing/publish.py).
        seq = int(
            conn.execute(
                select(counter.c.value).where(counter.c.id == 1).with_for_update()
            ).scalar_one()
        )
        touch_row(conn, "sheet_seal", row_id, seq + 1)
        conn.execute(update(counter).where(counter.c.id == 1).values(value=seq + 1))


def _failed(engine: Engine, slot_id: str, error: str) -> None:
    with engine.begin() as conn:
        attempts = int(
            conn.execute(
                select(sheet_seal_store.c.attempts).where(sheet_seal_store.c.slot_id == slot_id)
            ).scalar_one()
        )
        delay = min(dt.timedelta(minutes=2**attempts), MAX_DELAY)
        conn.execute(
            update(sheet_seal_store)
            .where(sheet_seal_store.c.slot_id == slot_id)
            .values(
                attempts=attempts + 1,
                last_error=error[:4000],
                next_attempt_at=clock.utcnow() + delay,
            )
        )


def sealed_pdf(engine: Engine, slot_id: str) -> bytes | None:
    with engine.connect() as conn:
        found = conn.execute(
            select(sheet_seal_store.c.pdf).where(
                sheet_seal_store.c.slot_id == slot_id, sheet_seal_store.c.state == SEALED
            )
        ).scalar()
    return bytes(found) if found is not None else None


# One sealing pass at a time in this process: two pushes answered together must not
# seal (and publish) the same half-day twice. A pass waits for the running one, then
# runs: a half-day closed meanwhile is sealed by it.
_PASS = threading.Lock()


def after_push(engine: Engine) -> None:
    """Run after a push that brought signatures: seal what is closed, if configured."""
    try:
        sealer = Sealer.from_config(load_config())
    except SealNotConfigured as missing:
        log.info("sheets not sealed: no seal configured (%s)", missing)
        return
    with _PASS:
        report = cycle(engine, sealer)
    if report.sealed or report.failed:
        log.info("sheets sealed: %d, failed (retried later): %d", report.sealed, report.failed)
