"""The question state machine: every allowed move passes, every other one raises."""

from __future__ import annotations

import pytest

from conversations.states import TRANSITIONS, InvalidTransitionError, QuestionState, transition

S = QuestionState
PAIRS = [(a, b) for a in S.values for b in S.values]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_transition_table_is_enforced(question, librarian, source, target):
    question.state = source
    question.save(update_fields=["state"])
    if target in TRANSITIONS[source]:
        event = transition(question, target, by=librarian)
        question.refresh_from_db()
        assert question.state == target
        assert (event.from_state, event.to_state, event.by) == (source, target, librarian)
    else:
        with pytest.raises(InvalidTransitionError):
            transition(question, target, by=librarian)
        question.refresh_from_db()
        assert question.state == source


def test_every_state_has_a_row():
    assert set(TRANSITIONS) == set(S.values)
