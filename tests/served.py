"""`trustfair serve` as a real process on a real port, for tests that need one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A running `trustfair serve` process: ``base`` URL, the ``process`` (for a test that
    kills it) and what it printed so far (``printed()``)."""

    def __init__(self, env: dict[str, str], args: tuple[str, ...] = ()) -> None:
        port = free_port()
        self._printed = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "trustfair.cli", "serve", "--port", str(port), *args],
            env={**os.environ, **env},
            stdout=self._printed,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{self.base}/v1/health", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"server did not start:\n{self.printed()}") from None
                    time.sleep(0.1)
        except BaseException:
            self.stop()
            raise

    def printed(self) -> str:
        self._printed.seek(0)
        return self._printed.read().decode("utf-8", "replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no finished requests, no cleanup."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self) -> None:
        self.stop()
        self._printed.close()


@contextmanager
def served(
    env: dict[str, str], args: tuple[str, ...] = (), output: list[str] | None = None
) -> Iterator[str]:
    """Start `trustfair serve` with ``env`` added to the environment (and ``args`` to
    its command line); its base URL once /v1/health answers. Stopped on leaving; then
    what it printed is appended to ``output``, if given.

    The server's output goes to a file, not a pipe nobody reads: a browser test makes
    enough requests for the access log to fill a pipe and stall the server."""
    server = Server(env, args)
    try:
        yield server.base
    finally:
        server.stop()
        if output is not None:
            output.append(server.printed())
        server.close()
