"""A snapshot download cut by the server mid-stream (a real `siege serve` on loopback, a
proxy closing the connection after part of the file) resumes at the bytes the laptop
has, with the same file and cursor; a change made on the siège meanwhile arrives with the
pull that follows (docs/sync.md, "First sync from a snapshot")."""

from __future__ import annotations

import select
import socket
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func

from app.models import Person
from app.sync import service
from app.sync import snapshot as laptop_snapshot
from app.sync.client import SyncError
from siege import db
from tests.integration.test_sync_processes import _add_persons, _assert_same, _enrol
from tests.sync_support import new_laptop
from tests.sync_support.processes import CuttingProxy, SiegeProcess


class FileCuttingProxy(CuttingProxy):
    """Forwards everything, except that the answer to the first snapshot file request
    is closed after ``keep`` bytes: the server's stream ends mid-file."""

    def __init__(self, target_port: int, keep: int) -> None:
        super().__init__(target_port)
        self.keep = keep

    def _pump(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        cutting, sent = False, 0
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
                        if b"GET /api/v1/snapshot/file/" in data and self.cuts_done == 0:
                            cutting = True
                            self.cuts_done += 1
                        upstream.sendall(data)
                    elif cutting:
                        client.sendall(data[: max(0, self.keep - sent)])
                        sent += len(data)
                        if sent >= self.keep:
                            return
                    else:
                        client.sendall(data)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()


@pytest.mark.slow
def test_a_download_cut_by_the_server_resumes_at_the_bytes_it_has(
    siege_process: SiegeProcess, tmp_path: Path
) -> None:
    writer = new_laptop(tmp_path, "Rédacteur")
    _enrol(siege_process, writer, "Rédacteur")
    _add_persons(writer, 400, "p")
    service.run_sync(writer)
    proxy = FileCuttingProxy(siege_process.port, keep=40_000)
    fresh, whole = new_laptop(tmp_path, "Neuf"), new_laptop(tmp_path, "Entier")
    _enrol(siege_process, fresh, "Neuf", proxy.url)
    _enrol(siege_process, whole, "Entier")
    with pytest.raises(SyncError) as cut:
        service.run_sync(fresh)
    assert cut.value.code == "offline" and proxy.cuts_done == 1
    target = laptop_snapshot.download_path(fresh.engine)
    kept = target.stat().st_size
    assert 0 < kept < 40_000
    with fresh.engine.connect() as conn:
        assert conn.execute(func.count(Person.id).select()).scalar_one() == 0
    # A change on the siège while the laptop was cut off: after the snapshot's cursor.
    _add_persons(writer, 1, "later")
    service.run_sync(writer)
    asked: list[str] = []

    def recorded(url: str, token: str | None) -> httpx.Client:
        def note(request: httpx.Request) -> None:
            if "/snapshot" in request.url.path:
                asked.append(f"{request.url.path} {request.headers.get('range', '')}")

        return httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"} if token else {},
            event_hooks={"request": [note]},
        )

    service.run_sync(fresh, http_factory=recorded)
    # No new plan: the same file, from the byte after those kept.
    assert len(asked) == 1 and asked[0].endswith(f"bytes={kept}-"), asked
    assert not target.exists()
    service.run_sync(whole)
    _assert_same(siege_process, writer, fresh, whole)
    proxy.close()
    engine = db.make_engine(siege_process.database_url)
    engine.dispose()
    for profile in (writer, fresh, whole):
        profile.close()
