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
# Optional: the Directory Service's base URL when the PA serves it apart from the Flow
# Service (XP Z12-013 Annexe B); else the Flow Service's URL.
DIRECTORY_ENV = "PERMANENCE_PA_DIRECTORY_URL"


class PaNotConfigured(Exception):
    """No plateforme agréée configured on this siège."""


@dataclass(frozen=True)
class PaConfig:
    flow_url: str  # base URL of the Flow Service, e.g. https://api.flow.pa.fr/flow-service
    token_url: str  # OAuth2 client-credentials token endpoint
    client_id: str
    client_secret: str
    directory_url: str = ""  # "" = flow_url

    @property
    def directory_base(self) -> str:
        return self.directory_url or self.flow_url

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
        if section.get("directory_url"):
            values["directory_url"] = str(section["directory_url"])
    values.update({k: env[name] for k, name in ENV_KEYS.items() if env.get(name)})
    if env.get(DIRECTORY_ENV):
        values["directory_url"] = env[DIRECTORY_ENV]
    missing = [ENV_KEYS[k] for k in ENV_KEYS if not values.get(k)]
    if missing:
        raise PaNotConfigured(", ".join(missing))
    return PaConfig(**values)
