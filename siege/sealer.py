"""The CAE's seal on the siège: its configuration, its key and certificate, its
timestamping authority (TSA), and the PAdES signature of one PDF (issue 16;
docs/signing.md). The queue and the sealing passes are in siege/sealing.py.

Configuration (the siège's environment or the TOML file named by
``PERMANENCE_SEAL_CONFIG``, section ``[sceau]``): ``key``, ``cert`` (PEM or DER),
optional ``chain`` (the CA certificates up to the root) and ``passphrase``, and
``tsa_url``. README, "Émargement électronique".
"""

from __future__ import annotations

import datetime as dt
import io
import os
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

from app.workshops.signing_seal import ClockedPdfSigner, embed_record

CONFIG_ENV = "PERMANENCE_SEAL_CONFIG"
ENV_KEYS = {
    "key": "PERMANENCE_SEAL_KEY",
    "cert": "PERMANENCE_SEAL_CERT",
    "tsa_url": "PERMANENCE_TSA_URL",
}
OPTIONAL_KEYS = {"chain": "PERMANENCE_SEAL_CHAIN", "passphrase": "PERMANENCE_SEAL_PASSPHRASE"}
FIELD_NAME = "SceauCAE"


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
