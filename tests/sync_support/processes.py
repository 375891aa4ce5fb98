"""Real processes for sync tests: a uvicorn siège on loopback, and a TCP proxy that can
cut a connection in the middle of an exchange."""

from __future__ import annotations

import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.clock_support import child_env

ROOT = Path(__file__).resolve().parents[2]
# How long a wait on a condition may last before the test fails: a loaded 2-core machine
# can be ten times slower than an idle one. Waits return as soon as their condition holds,
# so a generous bound costs nothing when things go well.
LOADED_MACHINE_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def python_env() -> dict[str, str]:
    env = child_env()
    env["PERMANENCE_NO_KEYRING"] = "1"
    return env


class SiegeProcess:
    """``python -m siege serve`` on 127.0.0.1; restartable on the same port."""

    def __init__(
        self, database_url: str, log_path: Path, tls: tuple[Path, Path] | None = None
    ) -> None:
        self.tls = tls
        self.database_url = database_url
        self.port = free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.served = False

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait until it answers. Other tests on the machine may take
        the free port before the server binds it: the first start then moves to another
        one; a restart keeps its port, which the laptops already know."""
        for _attempt in range(1 if self.served else 3):
            if self._spawn_and_wait():
                self.served = True
                return
            if self.served:
                break
            self.port = free_port()
        raise RuntimeError(f"siège did not start; see {self.log_path}")

    def _spawn_and_wait(self) -> bool:
        with self.log_path.open("ab") as log:
            log_start = log.tell()
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "siege",
                    "--database-url",
                    self.database_url,
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    *self._tls_args(),
                ],
                cwd=ROOT,
                env=python_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        verify = ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else True
        deadline = time.monotonic() + LOADED_MACHINE_SECONDS
        while time.monotonic() < deadline and self.proc.poll() is None:
            # Uvicorn says so once it holds the port: the answers are then ours, not those
            # of another test's server that took the port first.
            if self._log_since(log_start).count(b"Uvicorn running on"):
                try:
                    health = httpx.get(f"{self.url}/api/v1/health", timeout=5, verify=verify)
                    if health.status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        self.kill()
        return False

    def _log_since(self, offset: int) -> bytes:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read()

    def _tls_args(self) -> list[str]:
        if self.tls is None:
            return []
        return ["--ssl-certfile", str(self.tls[0]), "--ssl-keyfile", str(self.tls[1])]

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(LOADED_MACHINE_SECONDS)
        self.proc = None


class CuttingProxy:
    """Forwards 127.0.0.1:port to a target. When ``cut_push_responses`` > 0, the answer
    to the next push is cut after a few bytes (the siège did commit: the laptop never
    learns it)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut_push_responses = 0
        self.cut_marker = b"POST /api/v1/push"  # the requests whose answer is cut
        self.cuts_done = 0
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.port = int(self._server.getsockname()[1])
        self._stop = False
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop = True
        self._server.close()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._pump, args=(client,), daemon=True).start()

    def _take_cut(self) -> bool:
        with self._lock:
            if self.cut_push_responses > 0:
                self.cut_push_responses -= 1
                self.cuts_done += 1
                return True
            return False

    def _pump(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            client.close()
            return
        cutting = False
        try:
            while True:
                ready, _, _ = select.select([client, upstream], [], [], 30)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        if self.cut_marker in data and self._take_cut():
                            cutting = True
                        upstream.sendall(data)
                    elif cutting:
                        # Give the laptop the first bytes of the answer, then vanish.
                        client.sendall(data[:12])
                        return
                    else:
                        client.sendall(data)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()
