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


@contextmanager
def served(
    env: dict[str, str], args: tuple[str, ...] = (), output: list[str] | None = None
) -> Iterator[str]:
    """Start `trustfair serve` with ``env`` added to the environment (and ``args`` to
    its command line); its base URL once /v1/health answers. Stopped on leaving; then
    what it printed is appended to ``output``, if given.

    The server's output goes to a file, not a pipe nobody reads: a browser test makes
    enough requests for the access log to fill a pipe and stall the server."""
    port = free_port()
    with tempfile.TemporaryFile() as printed:
        process = subprocess.Popen(
            [sys.executable, "-m", "trustfair.cli", "serve", "--port", str(port), *args],
            env={**os.environ, **env},
            stdout=printed,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{base}/v1/health", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        printed.seek(0)
                        said = printed.read().decode(errors="replace")
                        raise RuntimeError(f"server did not start:\n{said}") from None
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)
            if output is not None:
                printed.seek(0)
                output.append(printed.read().decode("utf-8", "replace"))
