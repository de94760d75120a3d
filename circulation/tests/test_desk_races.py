"""A double-clicked checkout really racing on PostgreSQL: two requests for the same member and
item at once make one loan, use up no renewal, and both answer with that loan."""

from __future__ import annotations

import pytest
from django.db import connection

from circulation import services
from circulation.models import Loan
from circulation.tests.test_races import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]


def test_a_double_sent_checkout_makes_one_loan_and_no_renewal(item, member, librarian):
    results, errors = race(
        [lambda: services.check_out(item, member, staff=librarian) for _ in range(3)]
    )
    assert errors == []
    loan = Loan.objects.get()
    assert {result.loan.pk for result in results} == {loan.pk}
    assert sorted(result.repeated for result in results) == [False, True, True]
    assert loan.renewals == 0 and loan.events.count() == 1
