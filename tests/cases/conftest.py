"""The marker policy of the enforcement tests: cases are opened by its rules."""

from tests.enforce.conftest import policy, registry  # noqa: F401
