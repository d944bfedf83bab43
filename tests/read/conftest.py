"""The marker policy of the enforcement tests."""

from tests.enforce.conftest import policy, registry  # noqa: F401
