"""How ``python -m payapp.sandbox`` serves the app: uvicorn, each response in one write.

uvicorn's httptools protocol writes a response's head and its body with two
``transport.write`` calls, so every response leaves as two TCP segments, two syscalls.
Under load those writes were the largest single cost of the sandbox (a third of its
CPU in a confirm). Here the writes made during one step of the event loop are joined
and sent once at the end of it: the same bytes, in one segment. Nothing else changes,
and the sandbox app used in-process or mounted elsewhere is not affected.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn

from .config import SandboxConfig

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools missing: uvicorn's own choice, unchanged
    HttpToolsProtocol = None  # type: ignore[assignment,misc]


class _JoinedWrites:
    """A transport whose writes within one event-loop step go out as one ``write``."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending) if len(self._pending) > 1 else self._pending[0]
            self._pending = []
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def close(self) -> None:
        self._flush()  # what was written before close is still sent, as asyncio does
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


if HttpToolsProtocol is not None:

    class JoinedWritesProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol on a :class:`_JoinedWrites` transport."""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            # _JoinedWrites is a Transport in all but name: it wraps one and forwards what it does not join.
            super().connection_made(_JoinedWrites(transport, asyncio.get_running_loop()))  # type: ignore[arg-type]

    HTTP_PROTOCOL: type | str = JoinedWritesProtocol
else:
    HTTP_PROTOCOL = "auto"


def serve(config: SandboxConfig, sock: socket.socket, log_level: str) -> None:
    """Serve ``create_app(config)`` on an already bound, listening socket until stopped."""
    from .app import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(config), log_level=log_level, access_log=False, http=HTTP_PROTOCOL)
    )
    server.run(sockets=[sock])
