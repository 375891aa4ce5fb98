"""The simulator's FastAPI app: XP Z12-013 Flow Service 1.1.0 (the published OpenAPI
description, docs/einvoicing.md): OAuth2 client-credentials token, ``POST /v1/flows``
(multipart flowInfo + file, sha256 checked, idempotent on sha256 and trackingId),
``POST /v1/flows/search`` (updatedAfter, trackingId, flowType, flowDirection),
``GET /v1/flows/{flowId}`` (Metadata or Original).

Each received invoice is validated (``validation.Validator``) in a background thread and
answered by a life-cycle flow (``CustomerInvoiceLC``, direction In): 200 Déposée or 213
Rejetée with the failed rules. A received CDAR (e.g. 212 Encaissée) becomes the same
status for its invoice. Tests drive faults through ``Simulator`` (503s, slow uploads) and
emit a buyer's 210 Refusée with :meth:`Simulator.refuse`.

Directory Service (XP Z12-013 Annexe B): ``POST /v1/directory-line/search`` (filter
``siren``, include ``legalUnit``) and ``GET /v1/directory-line/code:{id}``. Like the real
directory, which lists every French company subject to VAT (at least on the public
platform), every SIREN has a line, ``platformType`` "PA", unless a test lists it in
``unlisted``; ``public_sirens`` are public entities (``entityType`` "Public").
E-reporting flows (``flowSyntax`` FRR) are stored with the flow type their content
declares and acknowledged Ok.

Time: the simulator stamps flows from a counter (one second apart from a fixed instant),
so ``updatedAfter`` paging is exact and no wall clock is read."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import queue
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import FastAPI, Form, Header, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from siege.einvoicing import cdar
from tests.pa_simulator.validation import Validator, invoice_number

EPOCH = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)


@dataclass
class Flow:
    flow_id: str
    tracking_id: str
    name: str
    syntax: str
    profile: str
    rule: str
    flow_type: str
    direction: str
    sha256: str
    content: bytes
    submitted_at: dt.datetime
    updated_at: dt.datetime
    ack: str = "Pending"

    def as_json(self) -> dict[str, Any]:
        return {
            "flowId": self.flow_id,
            "trackingId": self.tracking_id,
            "name": self.name,
            "flowSyntax": self.syntax,
            "flowProfile": self.profile,
            "processingRule": self.rule,
            "processingRuleSource": "Input",
            "flowType": self.flow_type,
            "flowDirection": self.direction,
            "sha256": self.sha256,
            "submittedAt": _iso(self.submitted_at),
            "updatedAt": _iso(self.updated_at),
            "acknowledgement": {"status": self.ack},
        }


def _iso(instant: dt.datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


@dataclass
class Simulator:
    client_id: str = "cae-champagne"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    validate: bool = True
    fail_next_uploads: int = 0  # answer 503 to that many uploads
    upload_delay: float = 0.0  # seconds spent "receiving" before storing an upload
    flows: dict[str, Flow] = field(default_factory=dict)
    upload_requests: int = 0
    unlisted: set[str] = field(default_factory=set)  # SIRENs with no directory line
    public_sirens: set[str] = field(default_factory=set)
    directory_requests: int = 0
    fail_directory: bool = False  # answer 503 to directory look-ups
    tokens: set[str] = field(default_factory=set)
    _tick: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _work: queue.Queue[str] = field(default_factory=queue.Queue)
    _validator: Validator = field(default_factory=Validator)

    def now(self) -> dt.datetime:
        self._tick += 1
        return EPOCH + dt.timedelta(seconds=self._tick)

    def received(self, direction: str = "Out", flow_type: str = "CustomerInvoice") -> list[Flow]:
        with self._lock:
            return [
                f
                for f in self.flows.values()
                if f.direction == direction and f.flow_type == flow_type
            ]

    def statuses(self) -> list[cdar.LifeCycle]:
        return [cdar.parse(f.content) for f in self.received("In", "CustomerInvoiceLC")]

    def emit(self, message: cdar.LifeCycle, tracking: str) -> None:
        with self._lock:
            now = self.now()
            flow_id = str(uuid.uuid4())
            self.flows[flow_id] = Flow(
                flow_id, tracking, f"{flow_id}.xml", "CDAR", "CIUS", "B2B",
                "CustomerInvoiceLC", "In", "", cdar.build(message, flow_id), now, now, "Ok",
            )  # fmt: skip

    def refuse(self, invoice_number: str, reason: str) -> None:
        """The buyer refuses the invoice (210 Refusée)."""
        self.emit(cdar.LifeCycle(invoice_number, "210", reason), f"refus-{invoice_number}")

    def process_pending(self) -> None:
        """Validate every received invoice not yet answered (the background thread's job)."""
        while True:
            try:
                flow_id = self._work.get_nowait()
            except queue.Empty:
                return
            self._process(flow_id)

    def directory_line(self, siren: str) -> dict[str, Any] | None:
        if siren in self.unlisted or not (len(siren) == 9 and siren.isdigit()):
            return None
        return {
            "addressingIdentifier": siren,
            "platformType": "PA",
            "directoryLineStatus": "Enabled",
            "siren": siren,
            "legalUnit": {
                "siren": siren,
                "entityType": "Public" if siren in self.public_sirens else "Private",
            },
        }

    def _process(self, flow_id: str) -> None:
        flow = self.flows[flow_id]
        if flow.syntax == "FRR":
            flow.ack = "Ok"  # e-reporting: stored for the tests, no life cycle
            return
        if flow.syntax == "CDAR":
            message = cdar.parse(flow.content)
            flow.ack = "Ok"
            self.emit(message, f"lc-{flow_id}")
            return
        failures = self._validator.failures(flow.content) if self.validate else []
        flow.ack = "Error" if failures else "Ok"
        number = invoice_number(flow.content) or flow.name.removesuffix(".pdf")
        if failures:
            self.emit(cdar.LifeCycle(number, "213", " ; ".join(failures)[:2000]), f"lc-{flow_id}")
        else:
            self.emit(cdar.LifeCycle(number, "200"), f"lc-{flow_id}")

    def run_background(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                flow_id = self._work.get(timeout=0.1)
            except queue.Empty:
                continue
            self._process(flow_id)


def _error(status: int, code: str, message: str = "") -> JSONResponse:
    return JSONResponse({"errorCode": code, "errorMessage": message}, status_code=status)


def create_app(sim: Simulator) -> FastAPI:
    app = FastAPI(title="Simulateur de plateforme agréée (XP Z12-013)")

    def authorized(authorization: str | None) -> bool:
        return bool(authorization) and authorization.removeprefix("Bearer ") in sim.tokens  # type: ignore[union-attr]

    @app.post("/oauth/token")
    async def token(request: Request) -> Response:
        form = await request.form()
        basic = request.headers.get("authorization", "")
        import base64

        ident = (
            base64.b64decode(basic.removeprefix("Basic ")).decode()
            if basic.startswith("Basic ")
            else ""
        )
        expected = f"{sim.client_id}:{sim.client_secret}"
        if form.get("grant_type") != "client_credentials" or not secrets.compare_digest(
            ident, expected
        ):
            return _error(401, "invalid_client")
        value = secrets.token_urlsafe(24)
        sim.tokens.add(value)
        return JSONResponse({"access_token": value, "token_type": "Bearer", "expires_in": 3600})

    @app.post("/v1/flows", status_code=202)
    def create_flow(
        flowInfo: Annotated[str, Form()],  # the spec’s field name
        file: UploadFile,
        authorization: Annotated[str | None, Header()] = None,
    ) -> Response:
        if not authorized(authorization):
            return _error(401, "MISSING_TOKEN")
        with sim._lock:
            sim.upload_requests += 1
            if sim.fail_next_uploads > 0:
                sim.fail_next_uploads -= 1
                return _error(503, "RESOURCE_ERROR")
        if sim.upload_delay:
            time.sleep(sim.upload_delay)  # a slow platform: the sender may die meanwhile
        info = json.loads(flowInfo)
        content = file.file.read()
        digest = hashlib.sha256(content).hexdigest()
        if not content:
            return _error(400, "EmptyFlow")
        if info.get("sha256") and info["sha256"] != digest:
            return _error(400, "ChecksumMismatch", "sha256 differs from the file's")
        with sim._lock:
            for existing in sim.flows.values():
                if existing.direction == "Out" and (
                    existing.sha256 == digest
                    or (info.get("trackingId") and existing.tracking_id == info["trackingId"])
                ):
                    # AlreadyExistingFlow: the same flow again gets the same answer.
                    return JSONResponse(_full(existing), status_code=202)
            now = sim.now()
            syntax = str(info.get("flowSyntax", ""))
            flow = Flow(
                flow_id=str(uuid.uuid4()),
                tracking_id=str(info.get("trackingId", "")),
                name=str(info.get("name", file.filename or "")),
                syntax=syntax,
                profile=str(info.get("flowProfile", "")),
                rule=str(info.get("processingRule", "B2B")),
                flow_type=_flow_type(syntax, content),
                direction="Out",
                sha256=digest,
                content=content,
                submitted_at=now,
                updated_at=now,
            )
            sim.flows[flow.flow_id] = flow
        sim._work.put(flow.flow_id)
        return JSONResponse(_full(flow), status_code=202)

    @app.post("/v1/flows/search")
    async def search(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        if not authorized(authorization):
            return _error(401, "MISSING_TOKEN")
        body = await request.json()
        where = body.get("where") or {}
        if not where:
            return _error(400, "MISSING_REQUIRED_FIELD", "where needs one criterion")
        limit = min(int(body.get("limit", 25)), 100)
        after = where.get("updatedAfter")
        after_at = dt.datetime.fromisoformat(after.replace("Z", "+00:00")) if after else None
        with sim._lock:
            found = [
                f
                for f in sim.flows.values()
                if (after_at is None or f.updated_at > after_at)
                and ("trackingId" not in where or f.tracking_id == where["trackingId"])
                and ("flowType" not in where or f.flow_type in where["flowType"])
                and ("flowDirection" not in where or f.direction in where["flowDirection"])
            ]
        found.sort(key=lambda f: f.updated_at)
        return JSONResponse(
            {"limit": limit, "filters": where, "results": [f.as_json() for f in found[:limit]]}
        )

    @app.get("/v1/flows/{flow_id}")
    def get_flow(
        flow_id: str,
        docType: str = "Metadata",  # the spec’s parameter name
        authorization: Annotated[str | None, Header()] = None,
    ) -> Response:
        if not authorized(authorization):
            return _error(401, "MISSING_TOKEN")
        flow = sim.flows.get(flow_id)
        if flow is None:
            return _error(404, "MISSING_RESOURCE")
        if docType == "Original":
            return Response(
                flow.content,
                media_type="application/octet-stream",
                headers={"Content-Disposition": f"attachment;filename={flow.name}"},
            )
        return JSONResponse(flow.as_json())

    @app.post("/v1/directory-line/search")
    async def directory_search(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        if not authorized(authorization):
            return _error(401, "MISSING_TOKEN")
        with sim._lock:
            sim.directory_requests += 1
            if sim.fail_directory:
                return _error(503, "RESOURCE_ERROR")
        body = await request.json()
        siren = str(((body.get("filters") or {}).get("siren") or {}).get("value", ""))
        line = sim.directory_line(siren)
        results = [line] if line else []
        return JSONResponse({"total_number_results": len(results), "results": results})

    @app.get("/v1/directory-line/code:{identifier}")
    def directory_line(
        identifier: str, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        if not authorized(authorization):
            return _error(401, "MISSING_TOKEN")
        line = sim.directory_line(identifier[:9])
        return JSONResponse(line) if line else _error(404, "MISSING_RESOURCE")

    @app.get("/v1/healthcheck")
    def health() -> Response:
        return Response(status_code=200)

    return app


def _flow_type(syntax: str, content: bytes) -> str:
    if syntax == "CDAR":
        return "CustomerInvoiceLC"
    if syntax == "FRR":  # the report says which one it is (siege/einvoicing/ereporting.py)
        for kind in (
            "AggregatedCustomerTransactionReport",
            "AggregatedCustomerPaymentReport",
            "UnitaryCustomerTransactionReport",
            "UnitaryCustomerPaymentReport",
        ):
            if kind.encode() in content[:400]:
                return kind
        return "MultiFlowReport"
    return "CustomerInvoice"


def _full(flow: Flow) -> dict[str, Any]:
    return {
        "flowId": flow.flow_id,
        "submittedAt": _iso(flow.submitted_at),
        "trackingId": flow.tracking_id,
        "name": flow.name,
        "processingRule": flow.rule,
        "flowSyntax": flow.syntax,
        "flowProfile": flow.profile,
        "sha256": flow.sha256,
    }
