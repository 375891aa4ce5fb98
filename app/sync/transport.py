"""HTTP exchanges with the siège: which addresses are allowed, what a failure means, and
how much of an answer is read.

- Only ``https://`` leaves the machine; ``http://`` is accepted for loopback alone
  (a siège tried on this computer, the tests), so a token never crosses a network
  in clear.
- A certificate the laptop does not trust is reported as such (``certificate``), not
  as "offline": the fix is on the siège's side or in ``SSL_CERT_FILE``, and waiting
  will not help.
- An answer is read up to :data:`MAX_RESPONSE_BYTES`; beyond that it is refused
  (``bad_response``) rather than filling the laptop's memory.
"""

from __future__ import annotations

import ipaddress
import ssl
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.errors import PermanenceError
from app.migrate import head_revision
from app.sync.protocol import API_PREFIX, PROTOCOL_HEADER, PROTOCOL_VERSION, SCHEMA_HEADER

if TYPE_CHECKING:
    # httpx (200 ms of imports) is loaded when a sync runs, not when the app starts.
    import httpx

# A page of 2,000 rows of at most 200,000 characters each would be far more; real pages
# are a few MB. Bounded so a hostile or broken siège cannot exhaust the laptop's memory.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class SyncError(PermanenceError):
    """Sync could not complete; ``code``: offline, certificate, insecure_url,
    unauthorized, token_unknown, update_required, server_error, bad_response,
    not_enrolled, enrol_refused. Local data is untouched and the outbox keeps every waiting change."""

    code = "sync"


@cache
def schema_version() -> str:
    """This program's schema revision (read from the migration scripts once)."""
    return head_revision()


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_url(url: str) -> bool:
    """``https://host…``, or ``http://`` to this machine only (127.0.0.0/8, ::1, localhost)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if not host:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))


def _certificate_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(
            seen
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def request(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One HTTP exchange; transport failures become ``SyncError("offline")`` (or
    ``certificate``).

    The token travels in the client's default headers and is never formatted into an
    error or a log line.
    """
    import httpx

    headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), SCHEMA_HEADER: schema_version()}
    try:
        sent = http.build_request(method, API_PREFIX + path, headers=headers, **kwargs)
        streamed = http.send(sent, stream=True)
        try:
            body = _bounded_body(streamed)
        finally:
            streamed.close()
    except httpx.HTTPError as exc:
        if _certificate_failure(exc):
            raise SyncError("certificate") from None
        raise SyncError("offline", reason=type(exc).__name__) from None
    # The body is already decoded: the copy must not announce an encoding any more.
    kept = [
        (k, v)
        for k, v in streamed.headers.multi_items()
        if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    response = httpx.Response(streamed.status_code, headers=kept, content=body, request=sent)
    if response.status_code == 401:
        # An unknown token (a siège restored from a backup older than this laptop's last
        # token, docs/sync.md "Tokens") gets its own French message and re-enrol path.
        detail = _detail(response)
        why = detail.get("reason") if isinstance(detail, dict) else None
        if why == "unknown_token":
            raise SyncError("token_unknown")
        raise SyncError("unauthorized")
    if response.status_code == 426:
        raise SyncError("update_required", detail=_detail(response))
    if response.status_code >= 500:
        raise SyncError("server_error", status=response.status_code)
    return response


def _bounded_body(response: httpx.Response) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise SyncError("bad_response", reason="too_large", status=response.status_code)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise SyncError("bad_response", reason="too_large", status=response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def _detail(response: httpx.Response) -> Any:
    try:
        return response.json().get("detail")
    except (ValueError, AttributeError):
        return None


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (ValueError, RecursionError):
        raise SyncError("bad_response", status=response.status_code) from None
    if not isinstance(body, dict):
        raise SyncError("bad_response", status=response.status_code)
    return body
