"""A test PKI and a local RFC 3161 timestamping authority over real HTTP (issue 16).

The root CA, the CAE's seal certificate and the TSA's certificate are made with
``cryptography``; the TSA is pyHanko's ``DummyTimeStamper`` (a real RFC 3161
responder: it signs a TSTInfo for each request) behind a stdlib HTTP server on
loopback, dated by ``app.clock`` (tests never read the wall clock)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app import clock

VALID_FROM = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
VALID_UNTIL = dt.datetime(2045, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class TestPki:
    root_cert: Path
    seal_key: Path
    seal_cert: Path
    tsa_key: Path
    tsa_cert: Path


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def build_pki(folder: Path) -> TestPki:
    """Root CA → the CAE's seal certificate and the TSA's certificate (RSA 2048)."""
    folder.mkdir(parents=True, exist_ok=True)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("Autorité de test Permanence", "Permanence tests")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )

    def leaf(
        common: str, organisation: str, tsa: bool
    ) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common, organisation))
            .issuer_name(root_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(VALID_FROM)
            .not_valid_after(VALID_UNTIL)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(sign=True, ca=False), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
            )
        )
        if tsa:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
        return key, builder.sign(root_key, hashes.SHA256())

    seal_key, seal_cert = leaf("Sceau de la CAE", "Coopérative Champagne Entreprendre", False)
    tsa_key, tsa_cert = leaf("Horodatage de test", "TSA de test Permanence", True)
    pki = TestPki(
        folder / "racine.pem",
        folder / "sceau-cle.pem",
        folder / "sceau.pem",
        folder / "tsa-cle.pem",
        folder / "tsa.pem",
    )
    pem = serialization.Encoding.PEM
    pki.root_cert.write_bytes(root.public_bytes(pem))
    pki.seal_cert.write_bytes(seal_cert.public_bytes(pem))
    pki.tsa_cert.write_bytes(tsa_cert.public_bytes(pem))
    _write_key(pki.seal_key, seal_key)
    _write_key(pki.tsa_key, tsa_key)
    return pki


def _asn1_cert(path: Path) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(serialization.Encoding.DER)
    )


@contextmanager
def local_tsa(pki: TestPki) -> Iterator[str]:
    """An RFC 3161 TSA on loopback (``application/timestamp-query`` → ``-reply``);
    yields its URL. Requests it answered are counted in ``server.answered``."""
    tsa_cert = _asn1_cert(pki.tsa_cert)
    store = SimpleCertificateStore.from_certs([_asn1_cert(pki.root_cert)])
    key = serialization.load_pem_private_key(pki.tsa_key.read_bytes(), password=None)
    tsa_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            request = tsp.TimeStampReq.load(body)
            stamper = DummyTimeStamper(
                tsa_cert, tsa_key, certs_to_embed=store, fixed_dt=clock.now()
            )
            answer = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            server.answered += 1  # type: ignore[attr-defined]

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.answered = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
