"""Members at the desk: registering, finding, opening and changing a record, all audited."""

import pytest
from django.urls import reverse

from core.errors import PermissionDeniedError
from core.models import AuditEntry, Branch
from core.tests.test_views import signed_in
from patrons.models import Member
from patrons.services import register_member, update_member

pytestmark = pytest.mark.django_db


def test_member_numbers_are_sequential_and_never_reused(librarian):
    first = register_member({"full_name": "Ani"}, by=librarian)
    second = register_member({"full_name": "Budi"}, by=librarian)
    assert first.number == "A00000001"
    assert second.number == "A00000002"
    second.delete()
    assert register_member({"full_name": "Citra"}, by=librarian).number == "A00000003"


def test_cataloguer_cannot_register_members(make_user, library):
    cataloguer = make_user("katalog", roles={"cataloguer"})
    with pytest.raises(PermissionDeniedError):
        register_member({"full_name": "Ani"}, by=cataloguer)
    assert not Member.objects.exists()


def test_changes_record_which_fields_not_their_values(librarian):
    member = register_member({"full_name": "Ani", "phone": "0811"}, by=librarian)
    update_member(member, {"phone": "0822", "full_name": "Ani"}, by=librarian)
    entry = AuditEntry.objects.get(action="member.update")
    assert entry.details == {"fields": ["phone"]}
    assert "0822" not in str(entry.details)
    assert entry.object_repr == "Ani (A00000001)"


def test_unchanged_save_writes_no_audit_row(librarian):
    member = register_member({"full_name": "Ani"}, by=librarian)
    update_member(member, {"full_name": "Ani"}, by=librarian)
    assert not AuditEntry.objects.filter(action="member.update").exists()


def test_opening_a_member_record_is_audited_with_address(librarian):
    member = register_member({"full_name": "Ani"}, by=librarian)
    client = signed_in(librarian)
    response = client.get(
        reverse("patrons:member-detail", args=[member.pk]), REMOTE_ADDR="192.168.1.20"
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="member.view")
    assert entry.actor == librarian
    assert entry.ip_address == "192.168.1.20"
    assert entry.object_id == str(member.pk)
    assert entry.path == reverse("patrons:member-detail", args=[member.pk])


def test_member_search_finds_by_name_or_number_and_is_audited(librarian):
    register_member({"full_name": "Ani Wulandari"}, by=librarian)
    register_member({"full_name": "Budi Santoso"}, by=librarian)
    client = signed_in(librarian)
    html = client.get(reverse("patrons:member-list"), {"q": "wulan"}).content.decode()
    assert "Ani Wulandari" in html and "Budi Santoso" not in html
    html = client.get(reverse("patrons:member-list"), {"q": "A00000002"}).content.decode()
    assert "Budi Santoso" in html and "Ani Wulandari" not in html
    assert AuditEntry.objects.filter(action="member.search").count() == 2


def test_member_list_costs_the_same_queries_for_few_or_many_members(librarian):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(librarian)
    branch = Branch.objects.first()

    def queries_for_list() -> tuple[int, str]:
        client.get(reverse("patrons:member-list"))  # warm the library cache
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("patrons:member-list"))
        return len(captured), response.content.decode()

    for n in range(3):
        register_member({"full_name": f"Pembaca {n}", "home_branch": branch}, by=librarian)
    few, _html = queries_for_list()
    for n in range(3, 40):
        register_member({"full_name": f"Pembaca {n}", "home_branch": branch}, by=librarian)
    many, html = queries_for_list()
    assert many == few
    assert html.count("Pembaca ") == 25  # one page


def test_htmx_search_returns_only_the_results_fragment(librarian):
    register_member({"full_name": "Ani"}, by=librarian)
    client = signed_in(librarian)
    response = client.get(reverse("patrons:member-list"), {"q": "Ani"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html


def test_desk_registration_form_rejects_a_bad_email_and_saves_nothing(librarian):
    client = signed_in(librarian)
    response = client.post(
        reverse("patrons:member-create"),
        {"full_name": "Ani", "category": "general", "email": "not-an-email"},
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Member.objects.exists()


def test_desk_registers_a_member(librarian):
    client = signed_in(librarian)
    response = client.post(
        reverse("patrons:member-create"),
        {
            "full_name": "Ani Wulandari",
            "category": "school_student",
            "birth_date": "2010-05-02",
            "phone": "0812 1111",
        },
    )
    member = Member.objects.get()
    assert response["Location"] == reverse("patrons:member-detail", args=[member.pk])
    assert member.category_id == "school_student"
    assert AuditEntry.objects.filter(action="member.create", actor=librarian).exists()
