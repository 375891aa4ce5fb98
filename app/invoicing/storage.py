"""Where issued PDFs live: written once (atomically), served only if their hash matches."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePosixPath

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


def is_safe_relative(relative: str) -> bool:
    """A stored path the profile may open: relative, inside ``documents/``, no ``..``.

    ``pdf_path`` arrives from other laptops through the siège: a path such as
    ``/etc/passwd`` or ``../../x`` must never be opened or exported.
    """
    if not relative or "\x00" in relative or "\\" in relative:
        return False
    pure = PurePosixPath(relative)
    parts = pure.parts
    return bool(parts) and not pure.is_absolute() and ".." not in parts and ":" not in parts[0]


def resolve(documents_dir: Path, relative: str) -> Path:
    """``documents_dir / relative`` when ``relative`` stays inside it (symlinks followed);
    ``ConflictError("invoice_pdf_path_unsafe")`` otherwise."""
    if not is_safe_relative(relative):
        raise ConflictError("invoice_pdf_path_unsafe", path=relative[:300])
    root = documents_dir.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise ConflictError("invoice_pdf_path_unsafe", path=relative[:300])
    return path


def verified_path(documents_dir: Path, relative: str, expected_sha256: str) -> Path:
    """The stored PDF, only if it is exactly the one made at validation."""
    if not relative:
        raise ConflictError("invoice_pdf_missing", path=str(documents_dir))
    path = resolve(documents_dir, relative)
    if not path.is_file():
        raise ConflictError("invoice_pdf_missing", path=str(path))
    if sha256(path.read_bytes()) != expected_sha256:
        raise ConflictError("invoice_pdf_altered", path=str(path))
    return path
