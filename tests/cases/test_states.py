from __future__ import annotations

import pytest

from trustfair.cases.states import CaseState, IllegalTransition, next_state


def test_a_case_walks_open_review_decided_closed() -> None:
    state = CaseState.OPEN
    for action, expected in [("assign", "in_review"), ("decide", "decided"), ("close", "closed")]:
        state = next_state(state, action)
        assert state == expected


def test_an_appeal_puts_a_decided_case_back_in_review() -> None:
    assert next_state("decided", "appeal") == CaseState.APPEALED
    assert next_state("appealed", "assign") == CaseState.IN_REVIEW


@pytest.mark.parametrize(
    ("state", "action"), [("open", "decide"), ("closed", "assign"), ("decided", "assign")]
)
def test_illegal_steps_raise_and_say_what_is_allowed(state: str, action: str) -> None:
    with pytest.raises(IllegalTransition, match=f"cannot '{action}'; it can"):
        next_state(state, action)
