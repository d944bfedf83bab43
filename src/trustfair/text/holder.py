"""The engine in use, and how a new lexicon version replaces it.

A reload builds and validates a whole new engine first and only then swaps the one
reference callers read, so every call sees one complete lexicon version — the old or
the new, never half of each — and a broken lexicon leaves the old one in service.
``start_watching`` checks the lexicon directory every few seconds and reloads when its
content changed, so a server picks up a new version without a restart.

Two ways to publish a version so that no half-written one is ever loaded: point
``TRUSTFAIR_LEXICON_DIR`` at a symlink and swap it to a complete new directory, or seal
the version (``trustfair lexicon seal``: the manifest names each file's digest, and a
directory whose files are not those is not loaded).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from functools import cache
from pathlib import Path

from trustfair.text.engine import ModerationEngine
from trustfair.text.lexicon import DEFAULT_LEXICON_DIR

log = logging.getLogger(__name__)


def lexicon_dir() -> Path:
    return Path(os.environ.get("TRUSTFAIR_LEXICON_DIR") or DEFAULT_LEXICON_DIR)


def _fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class EngineHolder:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._fingerprint = _fingerprint(directory.resolve())
        self._engine = ModerationEngine.load(directory.resolve())
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self.last_error: str | None = None

    def current(self) -> ModerationEngine:
        """The engine to use for one call: read once, use throughout the call."""
        return self._engine

    def reload(self) -> bool:
        """Load the directory again if it changed; True if a new version is in service.

        Raises the lexicon's FileError (and keeps the old engine) if the new one is broken.
        """
        with self._lock:
            # A symlink swapped to a new version's directory is followed once, here, so
            # one reload reads one directory throughout.
            directory = self.directory.resolve()
            fingerprint = _fingerprint(directory)
            if fingerprint == self._fingerprint:
                return False
            engine = ModerationEngine.load(directory)  # may raise: nothing swapped
            self._engine, self._fingerprint = engine, fingerprint
            log.info("lexicon %s in service", engine.version)
            return True

    def start_watching(self, every_seconds: float = 5.0) -> None:
        if self._watcher is not None:
            return

        self._stop.clear()

        def watch() -> None:
            seen = self._fingerprint
            while not self._stop.wait(every_seconds):
                try:
                    # Reload only a directory that looked the same on two checks in a
                    # row: a file still being written changes between them.
                    now = _fingerprint(self.directory.resolve())
                    if now != seen:
                        seen = now
                        continue
                    self.reload()
                    self.last_error = None
                except Exception as exc:  # a bad file must not kill the watcher
                    if str(exc) != self.last_error:
                        log.error("lexicon not reloaded, keeping %s: %s", self._engine.version, exc)
                    self.last_error = str(exc)

        self._watcher = threading.Thread(target=watch, name="lexicon-watcher", daemon=True)
        self._watcher.start()

    def stop_watching(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None


@cache
def holder_for(directory: Path) -> EngineHolder:
    """One holder per lexicon directory per process: building an engine takes a second."""
    return EngineHolder(directory)


def default_holder() -> EngineHolder:
    # Not resolved here: a symlink the operator swaps to a new version is followed.
    return holder_for(lexicon_dir().absolute())
