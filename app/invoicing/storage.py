"""Where issued PDFs live: written once (atomically), served only if their hash matches."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from app.errors import ConflictError

_UNSAFE = re.compile(r"[^A-Za-z0-9+\-_]")


def relative_path(number: str, year: int) -> str:
    # "/" is allowed in invoice numbers but not in file names.
    return f"factures/{year}/{_UNSAFE.sub('_', number)}.pdf"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomically(documents_dir: Path, relative: str, data: bytes) -> Path:
    """Write ``data`` so that a crash leaves either no file or the whole file."""
    target = documents_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target


def verified_path(documents_dir: Path, relative: str, expected_sha256: str) -> Path:
    """The stored PDF, only if it is exactly the one made at validation."""
    path = documents_dir / relative
    if not relative or not path.is_file():
        raise ConflictError("invoice_pdf_missing", path=str(path))
    if sha256(path.read_bytes()) != expected_sha256:
        raise ConflictError("invoice_pdf_altered", path=str(path))
    return path
