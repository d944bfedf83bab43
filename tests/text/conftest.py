from __future__ import annotations

import pytest

from trustfair.text.engine import ModerationEngine
from trustfair.text.holder import default_holder


@pytest.fixture(scope="session")
def engine() -> ModerationEngine:
    return default_holder().current()
