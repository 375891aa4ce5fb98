"""Run the simulator with uvicorn on 127.0.0.1 in a thread of the test process (real HTTP;
the tests read the simulator's state directly)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from tests.pa_simulator.app import Simulator, create_app


@contextmanager
def running(sim: Simulator) -> Iterator[str]:
    """Serve ``sim``; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(sim), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    stop = threading.Event()
    background = threading.Thread(target=sim.run_background, args=(stop,), daemon=True)
    thread.start()
    background.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("PA simulator did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        server.should_exit = True
        thread.join(30)
        background.join(30)
