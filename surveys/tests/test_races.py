"""A member sending the same one-response-per-member survey from several tabs at once, on
PostgreSQL: the unique respondent mark lets exactly one response in; the others are refused as
already answered, and no partial response is left."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from surveys import errors, selectors, services
from surveys.models import Answer, RespondentMark, Response
from surveys.tests.conftest import all_elements, ikm_answers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL"),
]


def test_eight_simultaneous_submissions_leave_one_response(ikm_survey, coordinator, make_user):
    services.update_survey(ikm_survey, by=coordinator, requires_sign_in=True, one_per_member=True)
    member = make_user("rina", roles={"member"})
    survey = selectors.get_survey(ikm_survey.pk)
    data = ikm_answers(survey, all_elements(4))
    start = threading.Barrier(8)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            start.wait()
            result: object = services.submit_response(survey, data, user=member)
        except BaseException as error:  # noqa: BLE001 - collected for the assertions
            result = error
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    refused = [o for o in outcomes if isinstance(o, errors.AlreadyRespondedError)]
    assert len(outcomes) == 8 and len(refused) == 7
    assert Response.objects.count() == 1 and RespondentMark.objects.count() == 1
    assert Answer.objects.count() == 9
