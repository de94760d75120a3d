"""In-library use scanning, and the staff statistics with their CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.permissions import PermissionDeniedError
from core.tests.test_views import signed_in
from patrons.models import MemberCategory
from visits import selectors, services
from visits.errors import EmptyItemCodeError, UnknownItemError
from visits.models import InLibraryUse, Visit

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=WITA)


@pytest.fixture
def librarian(make_user, library):
    return make_user("siti", roles={"librarian"})


@pytest.fixture
def week(branches, make_member, item, librarian):
    """Monday 23 to Sunday 29 November 2026 at Pusat, one visit at Cabang."""
    main, other = branches
    student = make_member("Ani", category="school_student")
    senior = make_member("Budi", category="senior")
    services.record_member_visit(student.number, branch=main, at=at(23, 8, 30))
    services.record_member_visit(student.number, branch=main, at=at(23, 8, 45))  # same visit
    services.record_member_visit(senior.number, branch=main, at=at(23, 9, 5))
    services.record_member_visit(student.number, branch=main, at=at(24, 15, 0))
    services.record_guest_visit(name="Citra", purpose="research", branch=main, at=at(23, 9, 30))
    services.record_guest_visit(name="Dedi", purpose="reading", branch=main, at=at(25, 23, 30))
    services.record_guest_visit(name="Eka", purpose="event", branch=other, at=at(25, 10))
    services.record_in_library_use("B00001", branch=main, by=librarian, at=at(23, 11))
    services.record_in_library_use("B00001", branch=main, by=librarian, at=at(23, 14))


# ---------------------------------------------------------------------------------------------
# In-library use


def test_an_item_left_on_a_table_is_one_use_however_often_it_is_scanned(item, branches, librarian):
    first = services.record_in_library_use("b00001", branch=branches[0], by=librarian)
    again = services.record_in_library_use("B00001", branch=branches[0], by=librarian)
    by_tag = services.record_in_library_use("E2800001", branch=branches[0], by=librarian)
    assert not first.repeated and again.repeated and by_tag.repeated
    assert InLibraryUse.objects.count() == 1
    later = services.record_in_library_use(
        "B00001", branch=branches[0], by=librarian, at=first.use.at + dt.timedelta(minutes=5)
    )
    assert not later.repeated and InLibraryUse.objects.count() == 2
    assert later.use.collection == "general"


def test_in_library_use_refuses_bad_input(item, branches, librarian, make_user):
    with pytest.raises(UnknownItemError) as raised:
        services.record_in_library_use("B99999", branch=branches[0], by=librarian)
    assert "B99999" in str(raised.value)
    with pytest.raises(EmptyItemCodeError):
        services.record_in_library_use("  ", branch=branches[0], by=librarian)
    with pytest.raises(PermissionDeniedError):
        services.record_in_library_use(
            "B00001", branch=branches[0], by=make_user("katalog", roles={"cataloguer"})
        )
    assert not InLibraryUse.objects.exists()


def test_in_library_use_screen_with_and_without_htmx(item, branches, librarian):
    client = signed_in(librarian)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("visits:in-library-use")
    html = client.get(url).content.decode()
    assert 'name="code"' in html and 'value="pusat" selected' in html
    swapped = client.post(url, {"code": "B00001"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in swapped and "Recorded" in swapped and "Bumi manusia" in swapped
    unknown = client.post(url, {"code": "NOPE"})
    assert unknown.status_code == 400 and "NOPE" in unknown.content.decode()
    client.get(url, {"branch": "cabang"})
    client.post(url, {"code": "B00001"})
    assert sorted(InLibraryUse.objects.values_list("branch__code", flat=True)) == [
        "cabang",
        "pusat",
    ]


# ---------------------------------------------------------------------------------------------
# Statistics


def test_counts_per_day_hour_category_and_purpose(week, branches):
    with CaptureQueriesContext(connection) as queries:
        stats = selectors.visit_statistics(
            dt.date(2026, 11, 23), dt.date(2026, 11, 29), branch=branches[0], zone=WITA
        )
    assert len(queries) <= 8
    assert (stats.visits, stats.members, stats.guests, stats.uses) == (5, 3, 2, 2)
    assert [(row.day.day, row.members, row.guests, row.uses) for row in stats.by_day] == [
        (23, 2, 1, 2),
        (24, 1, 0, 0),
        (25, 0, 1, 0),  # 23.30 in Samarinda is still the 25th
        (26, 0, 0, 0),
        (27, 0, 0, 0),
        (28, 0, 0, 0),
        (29, 0, 0, 0),
    ]
    assert stats.by_hour == [(8, 1), (9, 2), (15, 1), (23, 1)]
    names = dict(MemberCategory.objects.values_list("code", "name"))
    assert dict(stats.by_category) == {
        names["school_student"]: 2,
        names["senior"]: 1,
        "Guests": 2,
    }
    assert dict(stats.by_purpose) == {"Not given": 3, "Research": 1, "Reading": 1}
    assert dict(stats.uses_by_collection) == {"General": 2}
    every = selectors.visit_statistics(dt.date(2026, 11, 23), dt.date(2026, 11, 29), zone=WITA)
    assert every.visits == 6


def test_statistics_page_and_csv(week, librarian):
    client = signed_in(librarian)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    query = {"date_from": "2026-11-23", "date_to": "2026-11-29"}
    html = client.get(reverse("visits:statistics"), query).content.decode()
    school = MemberCategory.objects.get(code="school_student").name
    assert school in html and "Research" in html and "23.00" in html
    response = client.get(reverse("visits:export"), query)
    assert response["Content-Disposition"].endswith('visits-20261123-20261129.csv"')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "date",
        "hour",
        "branch",
        "what",
        "category or collection",
        "purpose",
        "count",
    ]
    assert ["2026-11-23", "8", "pusat", "visit:member", "school_student", "", "1"] in rows
    assert ["2026-11-25", "23", "pusat", "visit:guest", "guest", "reading", "1"] in rows
    assert ["2026-11-25", "10", "cabang", "visit:guest", "guest", "event", "1"] in rows
    assert ["2026-11-23", "11", "pusat", "in_library_use", "general", "", "1"] in rows
    assert sum(int(row[-1]) for row in rows[1:]) == 6 + 2
    # No names in the export: counts only.
    assert "Citra" not in str(rows)


def test_statistics_filter_explains_a_bad_period(librarian):
    client = signed_in(librarian)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(
        reverse("visits:statistics"), {"date_from": "2026-11-29", "date_to": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "must not be before" in response.content.decode()


def test_who_may_see_the_statistics(make_user, library):
    head = signed_in(make_user("kepala", roles={"head"}, totp=True))
    assert head.get(reverse("visits:statistics")).status_code == 200
    assert head.get(reverse("visits:in-library-use")).status_code == 403
    cataloguer = signed_in(make_user("katalog", roles={"cataloguer"}))
    assert cataloguer.get(reverse("visits:statistics")).status_code == 403
    assert cataloguer.get(reverse("visits:export")).status_code == 403


def test_staff_menu_links_to_visitors(librarian):
    html = signed_in(librarian).get(reverse("core:staff-home")).content.decode()
    assert reverse("visits:statistics") in html and reverse("visits:in-library-use") in html


def test_a_guest_visit_must_have_a_name_in_the_database_too(branches):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Visit.objects.create(branch=branches[0], kind="guest", category="guest")
