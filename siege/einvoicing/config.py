"""Where the siège finds its plateforme agréée and its credentials: the siège's own
environment or a TOML file named by ``PERMANENCE_PA_CONFIG``. Never a synced table: the
laptops never see them (docs/einvoicing.md)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

CONFIG_ENV = "PERMANENCE_PA_CONFIG"
ENV_KEYS = {
    "flow_url": "PERMANENCE_PA_FLOW_URL",
    "token_url": "PERMANENCE_PA_TOKEN_URL",
    "client_id": "PERMANENCE_PA_CLIENT_ID",
    "client_secret": "PERMANENCE_PA_CLIENT_SECRET",
}


class PaNotConfigured(Exception):
    """No plateforme agréée configured on this siège."""


@dataclass(frozen=True)
class PaConfig:
    flow_url: str  # base URL of the Flow Service, e.g. https://api.flow.pa.fr/flow-service
    token_url: str  # OAuth2 client-credentials token endpoint
    client_id: str
    client_secret: str

    def __repr__(self) -> str:  # never print the secret in a log or a traceback
        return f"PaConfig(flow_url={self.flow_url!r}, client_id={self.client_id!r})"


def load(environ: dict[str, str] | None = None) -> PaConfig:
    env = dict(os.environ if environ is None else environ)
    values: dict[str, str] = {}
    path = env.get(CONFIG_ENV)
    if path:
        with Path(path).open("rb") as handle:
            section = tomllib.load(handle).get("plateforme_agreee", {})
        values.update({k: str(v) for k, v in section.items() if k in ENV_KEYS})
    values.update({k: env[name] for k, name in ENV_KEYS.items() if env.get(name)})
    missing = [ENV_KEYS[k] for k in ENV_KEYS if not values.get(k)]
    if missing:
        raise PaNotConfigured(", ".join(missing))
    return PaConfig(**values)
