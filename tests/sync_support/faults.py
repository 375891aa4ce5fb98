"""Faults injected into sync runs."""

from __future__ import annotations

import httpx


class SimulatedCrash(BaseException):
    """Raised at a named point of the client: the process 'dies' there.

    A BaseException, so no ``except Exception`` in the code under test can swallow it.
    """


class DoubleSend(httpx.BaseTransport):
    """Delivers every push twice (a retry after a timeout whose first try did arrive);
    the client sees the second answer."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/push"):
            body = request.read()
            first = self.inner.handle_request(request)
            first.read()
            again = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            return self.inner.handle_request(again)
        return self.inner.handle_request(request)
