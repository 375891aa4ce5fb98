"""The AFNOR XP Z12-013 Flow Service adapter (httpx).

Written from the published OpenAPI description, "ANNEXE A - PR XP Z12-013 -
AFNOR-Flow_Service-1.1.0-swagger.json" (github.com/fpiccinali/PA_Communautaire,
docs/norme/XP_Z12-013_SWAGGER_Annexes_A_et_B_V1.2/), summarised in docs/einvoicing.md:

- every call carries a Bearer token obtained from a token URL (OAuth2 client credentials);
- ``POST /v1/flows``: multipart ``flowInfo`` (JSON: trackingId, name, processingRule,
  flowSyntax, flowProfile, sha256) + ``file``; 202 answers a FullFlowInfo (flowId…);
- ``POST /v1/flows/search``: ``{"limit": ≤100, "where": {updatedAfter, trackingId,
  flowType, flowDirection…}}``; pagination by ``updatedAfter`` (results carry updatedAt);
- ``GET /v1/flows/{flowId}?docType=Original``: the flow's file (a CDAR for a life cycle).

And the Directory Service (Annexe B, "AFNOR-Directory_Service", same token):
``POST /v1/directory-line/search`` with ``{"filters": {"siren": {"op": "strict",
"value": …}}, "include": ["legalUnit"]}``; a line carries ``addressingIdentifier``,
``platformType``, ``siren``, ``siret``, ``routingIdentifier``, ``addressingSuffix`` and
the included ``legalUnit`` (``entityType``: a public entity goes to Chorus Pro).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import httpx

from app import clock
from siege.einvoicing import cdar
from siege.einvoicing.adapter import (
    DirectoryEntry,
    OutgoingFlow,
    PermanentError,
    StatusEvent,
    TransientError,
)
from siege.einvoicing.config import PaConfig

PAGE = 100  # the spec's maximum ``limit``
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}


class AfnorFlowAdapter:
    def __init__(self, config: PaConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self.client = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0))
        self._token = ""
        self._token_until: dt.datetime | None = None

    def close(self) -> None:
        self.client.close()

    # -- auth -------------------------------------------------------------------
    def _bearer(self) -> str:
        now = clock.utcnow()
        if self._token and self._token_until is not None and now < self._token_until:
            return self._token
        answer = self._call(
            "POST",
            self.config.token_url,
            auth=False,
            data={"grant_type": "client_credentials"},
            basic=(self.config.client_id, self.config.client_secret),
        )
        body = answer.json()
        self._token = str(body["access_token"])
        lifetime = int(body.get("expires_in", 300))
        self._token_until = now + dt.timedelta(seconds=max(lifetime - 30, 1))
        return self._token

    def _call(
        self,
        method: str,
        url: str,
        *,
        auth: bool = True,
        basic: tuple[str, str] | None = None,
        **kwargs: object,
    ) -> httpx.Response:
        headers = {"X-Request-Id": str(uuid.uuid4())}
        if auth:
            headers["Authorization"] = f"Bearer {self._bearer()}"
        try:
            answer = self.client.request(
                method,
                url,
                headers=headers,
                auth=basic,
                **kwargs,  # type: ignore[arg-type]
            )
        except httpx.HTTPError as exc:
            raise TransientError(f"réseau : {type(exc).__name__}") from exc
        if answer.status_code == 401 and auth:
            self._token = ""  # expired or revoked: a new token on the next attempt
            raise TransientError("jeton refusé (401)")
        if answer.status_code in RETRY_STATUSES:
            raise TransientError(f"la plateforme répond {answer.status_code}")
        if answer.status_code >= 400:
            raise PermanentError(f"{answer.status_code} {_error_code(answer)}")
        return answer

    # -- flows ------------------------------------------------------------------
    def submit(self, flow: OutgoingFlow) -> str:
        info = {
            "trackingId": flow.tracking_id,
            "name": flow.file_name,
            "processingRule": flow.processing_rule,
            "flowSyntax": flow.flow_syntax,
            "flowProfile": flow.flow_profile,
            "sha256": flow.sha256,
        }
        media = "application/pdf" if flow.file_name.endswith(".pdf") else "application/xml"
        answer = self._call(
            "POST",
            f"{self.config.flow_url}/v1/flows",
            files={
                "flowInfo": (None, json.dumps(info), "application/json"),
                "file": (flow.file_name, flow.payload, media),
            },
        )
        return str(answer.json()["flowId"])

    def find(self, tracking_id: str) -> str | None:
        answer = self._call(
            "POST",
            f"{self.config.flow_url}/v1/flows/search",
            json={"limit": 1, "where": {"trackingId": tracking_id, "flowDirection": ["Out"]}},
        )
        results = answer.json().get("results") or []
        return str(results[0]["flowId"]) if results else None

    def directory_entry(self, siren: str) -> DirectoryEntry:
        try:
            answer = self._call(
                "POST",
                f"{self.config.directory_base}/v1/directory-line/search",
                json={
                    "filters": {"siren": {"op": "strict", "value": siren}},
                    "include": ["legalUnit"],
                    "limit": 10,
                    "ignore": 0,
                },
            )
        except PermanentError as exc:
            if str(exc).startswith("404"):  # no line for this SIREN
                return DirectoryEntry(siren, "")
            raise
        lines = [line for line in answer.json().get("results") or [] if line.get("siren") == siren]
        if not lines:
            return DirectoryEntry(siren, "")
        # The SIREN's own line first (no facility, routing code nor suffix): where the
        # company receives what names no particular service (docs/einvoicing.md).
        lines.sort(
            key=lambda line: bool(
                line.get("siret") or line.get("routingIdentifier") or line.get("addressingSuffix")
            )
        )
        line = lines[0]
        legal_unit = line.get("legalUnit") or {}
        return DirectoryEntry(
            siren=siren,
            addressing_identifier=str(line.get("addressingIdentifier") or siren),
            platform=str(line.get("platformType") or ""),
            public_entity=str(legal_unit.get("entityType", "")).lower() == "public",
        )

    def statuses_since(self, cursor: str) -> tuple[list[StatusEvent], str]:
        where: dict[str, object] = {
            "flowType": ["CustomerInvoiceLC"],
            "flowDirection": ["In"],
            "updatedAfter": cursor or "1970-01-01T00:00:00Z",
        }
        answer = self._call(
            "POST", f"{self.config.flow_url}/v1/flows/search", json={"limit": PAGE, "where": where}
        )
        events: list[StatusEvent] = []
        for flow in answer.json().get("results") or []:
            flow_id = str(flow["flowId"])
            original = self._call(
                "GET", f"{self.config.flow_url}/v1/flows/{flow_id}", params={"docType": "Original"}
            )
            message = cdar.parse(original.content)
            events.append(
                StatusEvent(
                    flow_id=flow_id,
                    invoice_number=message.invoice_number,
                    code=message.code,
                    reason=" : ".join(p for p in (message.reason_code, message.reason) if p),
                    status_at=_naive_utc(str(flow["updatedAt"])),
                )
            )
            cursor = str(flow["updatedAt"])
        return events, cursor


def _naive_utc(text: str) -> dt.datetime:
    instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is not None:
        instant = instant.astimezone(dt.UTC).replace(tzinfo=None)
    return instant


def _error_code(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200]
    return f"{body.get('errorCode', '')} {body.get('errorMessage') or ''}".strip()
