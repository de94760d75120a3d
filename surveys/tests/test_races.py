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


@pytest.fixture
def invited(coordinator, member_categories, library):
    """An open anonymous survey and three members invited (invitations not sent yet)."""
    import datetime as dt

    from core.models import Branch
    from patrons.models import Member
    from surveys.models import Invitation
    from surveys.states import QuestionKind

    survey = services.create_survey(by=coordinator, title="Umpan balik")
    services.add_question(
        survey.sections.get(), by=coordinator, kind=QuestionKind.RATING, text="Nilai"
    )
    services.open_survey(survey, by=coordinator)
    for n in range(3):
        member = Member.objects.create(
            number=f"R{n:05d}",
            full_name=f"Anggota {n}",
            email=f"r{n}@example.org",
            joined_on=dt.date(2026, 1, 1),
            home_branch=Branch.objects.first(),
        )
        Invitation.objects.create(
            survey=survey, recipient=f"member:{member.pk}", member=member, email=member.email
        )
    return selectors.get_survey(survey.pk)


def test_two_workers_sending_at_once_send_each_invitation_once(invited):
    from django.core import mail

    from core.testing import race
    from surveys.sending import send_pending

    results, failures = race([lambda: send_pending(invited.pk)] * 2)
    assert failures == []
    assert sum(results) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"r{n}@example.org" for n in range(3)]


def test_one_invitation_link_used_from_six_tabs_at_once_answers_once(invited):
    import re

    from django.core import mail

    from core.testing import race
    from surveys.sending import send_pending, submit_invited_response

    send_pending(invited.pk)
    token = re.search(r"/i/([^/\s]+)/", mail.outbox[0].body).group(1)
    question = selectors.questions_of(invited)[0]
    results, failures = race(
        [lambda: submit_invited_response(invited, token, {f"q{question.pk}": "5"})] * 6
    )
    assert len(results) == 1
    assert len(failures) == 5
    assert all(isinstance(f, errors.AlreadyRespondedError) for f in failures)
    assert Response.objects.filter(survey=invited).count() == 1
    assert Response.objects.get(survey=invited).user is None
