import pytest

from events.states import TRANSITIONS, InvalidTransitionError, RegistrationState, check_transition

PAIRS = [(a, b) for a in RegistrationState.values for b in RegistrationState.values]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_pair_is_allowed_exactly_when_the_table_says_so(source, target):
    if target in TRANSITIONS[source]:
        check_transition(source, target)
    else:
        with pytest.raises(InvalidTransitionError):
            check_transition(source, target)
