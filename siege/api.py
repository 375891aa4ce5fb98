"""HTTP API of the siège (FastAPI), versioned under ``/api/v1``; OpenAPI at
``/api/v1/openapi.json``. Built by :func:`create_app` — no engine exists at import time.

Every refusal is a 4xx with a reason in ``detail``; tokens are read from the
``Authorization`` header only and never logged or echoed.
"""

import json
import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from app.migrate import head_revision
from app.sync.hlc import wall_now_ms
from app.sync.protocol import (
    API_PREFIX,
    DEFAULT_PAGE,
    MAX_BODY_BYTES,
    MAX_PAGE,
    MIN_PROTOCOL_VERSION,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SCHEMA_HEADER,
)
from siege import devices, feed, local_series, schemas, sealing, snapshot, store
from siege import epoch as siege_epoch
from siege import scope as read_scope
from siege.devices import DeviceAdminError, DeviceRecord
from siege.payload import PayloadError, parse_push

log = logging.getLogger(__name__)


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(
        title="Permanence — siège",
        version=str(PROTOCOL_VERSION),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    schema = head_revision()

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        reasons = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        ]
        return JSONResponse(
            {"detail": {"code": "invalid", "reason": "; ".join(reasons)[:500]}}, 422
        )

    @app.exception_handler(DBAPIError)
    async def _unavailable(request: Request, exc: DBAPIError) -> JSONResponse:
        # A database fault outside a push's own transaction (the token check, a page
        # of changes): the same answer as store.push gives, never a 500.
        cause = type(exc.orig).__name__
        log.warning("%s %s: database fault %s", request.method, request.url.path, cause)
        return JSONResponse(
            {"detail": {"code": "unavailable", "reason": "database fault; try again"}},
            503,
            headers={"Retry-After": str(store.RETRY_AFTER_SECONDS)},
        )

    def versions(
        protocol: Annotated[str | None, Header(alias=PROTOCOL_HEADER)] = None,
        client_schema: Annotated[str | None, Header(alias=SCHEMA_HEADER)] = None,
    ) -> None:
        try:
            version = int(protocol or "0")
        except ValueError:
            version = 0
        if not MIN_PROTOCOL_VERSION <= version <= PROTOCOL_VERSION or client_schema != schema:
            raise HTTPException(
                426,
                {
                    "code": "update_required",
                    "reason": "client and siège versions differ; update the application",
                    "protocol_version": PROTOCOL_VERSION,
                    "min_protocol_version": MIN_PROTOCOL_VERSION,
                    "schema_version": schema,
                },
            )

    def device(authorization: Annotated[str | None, Header()] = None) -> DeviceRecord:
        token = ""
        if authorization and authorization.startswith("Bearer "):
            token = authorization[len("Bearer ") :].strip()
        record = devices.authenticate(engine, token)
        if record is None:
            # The laptop says why in French (app/sync/transport.py): an unknown token is
            # also what a laptop meets after the siège is restored from an older backup.
            why = devices.refusal(engine, token)
            log.warning("token refused: %s", why)
            raise HTTPException(
                401,
                {"code": "unauthorized", "reason": why},
                headers={"WWW-Authenticate": "Bearer"},
            )
        return record

    checked = [Depends(versions)]

    @app.get(f"{API_PREFIX}/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "protocol_version": PROTOCOL_VERSION, "schema_version": schema}

    @app.get(
        f"{API_PREFIX}/hello",
        dependencies=checked,
        responses={200: {"model": schemas.HelloAnswer}, **schemas.READ_ERRORS},
    )
    def hello(dev: Annotated[DeviceRecord, Depends(device)]) -> dict[str, Any]:
        # Each sync starts here: the token rotates silently (siege/devices.py).
        fresh = devices.rotate_token(engine, dev)
        return {
            "next_token": fresh,
            "protocol_version": PROTOCOL_VERSION,
            "min_protocol_version": MIN_PROTOCOL_VERSION,
            "schema_version": schema,
            "server_time_ms": wall_now_ms(),
            # Drawn again after a restore: laptops then re-read and re-send (siege/epoch.py).
            "siege_epoch": siege_epoch.current(engine) or None,
            "device": {
                "name": dev.name,
                "antenne": dev.antenne,
                "role": dev.role,
                "antennes": list(dev.towns),
                "series_prefix": dev.series_prefix,
                "last_op": dev.last_op,
            },
        }

    @app.post(
        f"{API_PREFIX}/enroll",
        dependencies=checked,
        openapi_extra=schemas.request_body(schemas.EnrollBody),
        responses={200: {"model": schemas.EnrollAnswer}, **schemas.ENROLL_ERRORS},
    )
    async def enroll(request: Request) -> dict[str, Any]:
        # The siège chooses the device id (docs/authority.md): a "device_id" sent by an
        # older client is accepted in the body and ignored.
        body = await _read_json(request)
        code = body.get("code")
        if not isinstance(code, str) or len(code) > 40:
            raise HTTPException(422, {"code": "invalid", "reason": "code expected"})
        try:
            # Series the laptop numbered invoices in before enrolment (siege/local_series.py).
            declared = local_series.parse(body.get("local_series"))
            record, token = await run_in_threadpool(
                devices.complete_enrolment, engine, code, declared
            )
        except local_series.LocalSeriesRefused as exc:
            raise HTTPException(422, {"code": exc.reason, "reason": "bad local_series"}) from None
        except DeviceAdminError as exc:
            refused = {"code": exc.reason, "reason": "enrolment refused", **exc.details}
            raise HTTPException(403, refused) from None
        return {
            "token": token,
            "device_id": record.device_id,
            "name": record.name,
            "antenne": record.antenne,
            "role": record.role,
            "series_prefix": record.series_prefix,
        }

    @app.post(
        f"{API_PREFIX}/push",
        dependencies=checked,
        openapi_extra=schemas.request_body(schemas.PushBody),
        responses={200: {"model": schemas.PushAnswer}, **schemas.PUSH_ERRORS},
    )
    async def push(
        request: Request,
        dev: Annotated[DeviceRecord, Depends(device)],
        tasks: BackgroundTasks,
    ) -> JSONResponse:
        body = await _read_json(request)
        try:
            batch_id, ops = parse_push(body)
        except PayloadError as exc:
            raise HTTPException(422, {"code": "invalid", "reason": exc.reason}) from None
        result = await run_in_threadpool(store.push, engine, dev, batch_id, ops)
        if result.status == 200 and any(o.table == "attendance_signature" for o in ops):
            # A countersigned half-day is sealed at this sync, after the answer is sent
            # (siege/sealing.py; a failure is kept and retried, never dropped).
            tasks.add_task(sealing.after_push, engine)
        # 200 applied, 409 refused by a rule (nothing kept), 503 + Retry-After: a
        # database fault rolled the batch back, send it again (siege/store.py).
        return JSONResponse(result.body, result.status, headers=result.headers or None)

    @app.get(
        f"{API_PREFIX}/changes",
        dependencies=checked,
        responses={200: {"model": schemas.ChangesPage}, **schemas.READ_ERRORS},
    )
    def changes(
        dev: Annotated[DeviceRecord, Depends(device)],
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    ) -> Response:
        # Already plain JSON types: skip FastAPI's recursive encoder (most of a page's cost).
        body = json.dumps(feed.changes(engine, after, limit, dev), ensure_ascii=False)
        return Response(body.encode("utf-8"), media_type="application/json")

    @app.get(f"{API_PREFIX}/scope/keys", dependencies=checked, responses=schemas.READ_ERRORS)
    def scope_keys(dev: Annotated[DeviceRecord, Depends(device)]) -> StreamingResponse:
        """The keys of every row of the device's scope (evictable tables), as JSON lines:
        first ``{"epoch", "tables"}``, then ``{"table", "ids"}`` pages. The laptop drops
        what it holds outside them (docs/sync.md, "Leaving a scope")."""
        return StreamingResponse(_scope_lines(engine, dev), media_type="application/x-ndjson")

    @app.get(f"{API_PREFIX}/snapshot", dependencies=checked, responses=schemas.READ_ERRORS)
    def snapshot_plan(
        dev: Annotated[DeviceRecord, Depends(device)], encrypted: bool = False
    ) -> dict[str, Any]:
        """The device's snapshot at the current cursor, prepared as a SQLite file (built
        or from the cache): its name, cursor, scope epoch, size and SHA-256
        (siege/snapshot.py). ``encrypted=1`` (a laptop with a SQLCipher profile): a
        SQLCipher file, its raw key in the answer (only this device's scope's file)."""
        return snapshot.prepare(engine, dev, encrypted=encrypted).plan()

    @app.get(
        f"{API_PREFIX}/snapshot/file/{{name}}", dependencies=checked, responses=schemas.READ_ERRORS
    )
    def snapshot_file(
        dev: Annotated[DeviceRecord, Depends(device)],
        name: str,
        range_: Annotated[str | None, Header(alias="Range")] = None,
    ) -> StreamingResponse:
        """The prepared file's bytes from the offset a ``Range: bytes=N-`` asks for (a cut
        download resumes there), streamed a block at a time."""
        try:
            path = snapshot.opened(dev, engine, name)
        except snapshot.SnapshotError as exc:
            status = 404 if exc.reason == "gone" else 422
            raise HTTPException(
                status, {"code": exc.reason, "reason": "no such snapshot"}
            ) from None
        size = path.stat().st_size
        start, end = _byte_range(range_, size)
        headers = {"Accept-Ranges": "bytes", "Content-Length": str(end - start + 1)}
        if range_ is not None:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return StreamingResponse(
            snapshot.read_range(path, start, end),
            206 if range_ is not None else 200,
            headers=headers,
            media_type="application/vnd.sqlite3",
        )

    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        # Bodies read by hand (size limit first) still show their shape and models.
        if app.openapi_schema is None:
            schemas.add_models(default_openapi(), schemas.EnrollBody, schemas.PushBody)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


async def _read_json(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise HTTPException(
            413, {"code": "too_large", "reason": f"body over {MAX_BODY_BYTES} bytes"}
        )
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise HTTPException(
                413, {"code": "too_large", "reason": f"body over {MAX_BODY_BYTES} bytes"}
            )
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise HTTPException(400, {"code": "malformed", "reason": "body is not JSON"}) from None
    if not isinstance(body, dict):
        raise HTTPException(422, {"code": "invalid", "reason": "JSON object expected"})
    return body


def _scope_lines(engine: Engine, dev: DeviceRecord) -> Iterator[bytes]:
    with engine.connect() as conn:
        # The epoch first: a change made while the keys are read moves it again.
        epoch = read_scope.epoch(conn, dev)
        head = {"epoch": epoch, "tables": read_scope.evictable_tables()}
        yield json.dumps(head).encode() + b"\n"
        scope = read_scope.compute(conn, dev)
        for table, ids in read_scope.manifest(conn, scope):
            yield json.dumps({"table": table, "ids": ids}).encode() + b"\n"


def _byte_range(asked: str | None, size: int) -> tuple[int, int]:
    """(first, last) byte of ``bytes=N-`` or ``bytes=N-M``; the whole file without one."""
    if asked is None:
        return 0, size - 1
    unit, _, spec = asked.partition("=")
    first, _, last = spec.partition("-")
    if unit.strip() != "bytes" or not first.strip().isdigit() or int(first) >= size:
        raise HTTPException(
            416,
            {"code": "bad_range", "reason": "bytes=N- within the file expected"},
            headers={"Content-Range": f"bytes */{size}"},
        )
    end = int(last) if last.strip().isdigit() else size - 1
    return int(first), min(end, size - 1)


def _is_uuid(value: str) -> bool:
    from siege.payload import ROW_ID

    return bool(ROW_ID.match(value))
