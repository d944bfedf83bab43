"""A real local HTTP server that records the webhooks it receives, for tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Hook:
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)
    """Answers to give, in order; 200 once they run out."""
    hooks: list[Hook] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Hook]:
        """The hooks once ``count`` have arrived (or all there are after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.hooks) < count and (left := deadline - time.monotonic()) > 0:
                self._arrived.wait(left)
            return list(self.hooks)


@contextmanager
def webhook_receiver(statuses: list[int] | None = None) -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            answer = b"ok" if status < 300 else b"try later"
            # Recorded before the answer goes out: a sender that has its answer may
            # look at what arrived, and must find it there.
            with receiver._arrived:
                receiver.hooks.append(Hook(dict(self.headers.items()), body))
                receiver._arrived.notify_all()
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook", list(statuses or []))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
