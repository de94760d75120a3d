from __future__ import annotations

import pytest


@pytest.fixture
def coordinator(make_user, library):
    return make_user("koordinator", roles={"programme_coordinator"})


@pytest.fixture
def head(make_user, library):
    return make_user("kepala", roles={"head"}, totp=True)


@pytest.fixture
def ikm_survey(coordinator):
    from surveys import services

    survey = services.create_ikm_survey(by=coordinator, period="2026 Semester II")
    return services.open_survey(survey, by=coordinator)


def ikm_answers(survey, values: dict[str, object]) -> dict[str, object]:
    """Form data for a survey from {"U1": 4, "umur": 30, ...}."""
    from surveys.selectors import questions_of
    from surveys.services import field_name

    by_code = {q.code: q for q in questions_of(survey)}
    return {field_name(by_code[code]): value for code, value in values.items()}


def all_elements(value: int) -> dict[str, int]:
    return {f"U{i}": value for i in range(1, 10)}
