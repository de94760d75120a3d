"""The loan-rules screen: the matrix, add/edit/remove for those allowed (audited), and "which
rule applies?" answering every value with the rule it came from and the due date today."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from circulation.models import LoanPolicy
from circulation.tests.conftest import MONDAY
from circulation.tests.test_desk import desk_client
from core.models import AuditEntry

pytestmark = pytest.mark.django_db
RULES = reverse("circulation:rules")


@pytest.fixture
def head(make_user, library):
    return make_user("kepala", roles={"head"}, totp=True)


@pytest.fixture
def policies(branches, member_categories):
    LoanPolicy.objects.create(name="Semua", loan_days=10, fine_per_day=1000)
    LoanPolicy.objects.create(name="Pelajar", member_category_id="school_student", max_items=2)
    LoanPolicy.objects.create(
        name="Pelajar di Cabang",
        member_category_id="school_student",
        branch=branches[1],
        loan_days=7,
    )


def test_a_librarian_reads_the_matrix_but_cannot_change_it(librarian, branches, policies):
    client = desk_client(librarian, branches[0])
    page = client.get(RULES).content.decode()
    assert "Pelajar di Cabang" in page and "Rp\xa01.000" in page
    assert "Add a rule" not in page and "/edit/" not in page
    assert client.get(reverse("circulation:rule-create")).status_code == 403


def test_a_cataloguer_cannot_see_the_rules(make_user, branches):
    client = desk_client(make_user("katalog", roles={"cataloguer"}), branches[0])
    assert client.get(RULES).status_code == 403


@time_machine.travel(MONDAY, tick=False)
def test_which_rule_applies_names_the_source_of_every_value_and_the_due_date(
    librarian, branches, policies, make_member, make_item
):
    student = make_member(category="school_student")
    item = make_item()
    client = desk_client(librarian, branches[0])
    response = client.get(
        RULES, {"member": student.number, "item": item.barcode, "branch": branches[1].pk}
    )
    page = response.content.decode()
    assert response.status_code == 200
    rows = {line.name: (line.value, line.source) for line in response.context["answer"].lines}
    assert rows["loan_days"] == (7, "Pelajar di Cabang")
    assert rows["max_items"] == (2, "Pelajar")
    assert rows["fine_per_day"] == (1000, "Semua")
    assert rows["max_renewals"] == (2, "Pustaka's default")
    # Monday 23 November + 7 days = Monday 30 November, an open day at Cabang.
    assert "Checked out today, it is due on Monday 30 November 2026." in page
    assert "Pelajar di Cabang → Pelajar → Semua" in page


@time_machine.travel(MONDAY, tick=False)
def test_which_rule_applies_for_a_category_and_material_type(librarian, branches, policies):
    client = desk_client(librarian, branches[0])
    response = client.get(
        RULES, {"category": "general", "material_type": "book", "branch": branches[0].pk}
    )
    rows = {line.name: line.source for line in response.context["answer"].lines}
    assert rows["loan_days"] == "Semua" and rows["max_items"] == "Pustaka's default"
    assert "due on Thursday 3 December 2026" in response.content.decode()


def test_which_rule_applies_names_what_is_missing_or_unknown(librarian, branches):
    client = desk_client(librarian, branches[0])
    response = client.get(RULES, {"branch": branches[0].pk})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Give a member number or choose a category." in page
    assert "Give an item barcode or choose a material type." in page
    response = client.get(RULES, {"member": "X9", "item": "Y9", "branch": branches[0].pk})
    page = response.content.decode()
    assert "No member has the number “X9”." in page and "No item has the barcode “Y9”." in page


def test_the_head_adds_changes_and_removes_rules_with_an_audit_trail(head, branches, policies):
    client = desk_client(head, branches[0])
    response = client.post(
        reverse("circulation:rule-create"),
        {"name": "Anak", "member_category": "child", "loan_days": "7", "holds_allowed": "false"},
    )
    assert response.status_code == 302
    rule = LoanPolicy.objects.get(name="Anak")
    assert rule.loan_days == 7 and rule.holds_allowed is False and rule.max_items is None
    response = client.post(
        reverse("circulation:rule-edit", args=[rule.pk]),
        {"name": "Anak", "member_category": "child", "loan_days": "10", "holds_allowed": "unknown"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.loan_days == 10 and rule.holds_allowed is None
    entry = AuditEntry.objects.get(action="circulation.policy_update")
    assert entry.details == {"fields": ["holds_allowed", "loan_days"]}
    client.post(reverse("circulation:rule-delete", args=[rule.pk]))
    assert not LoanPolicy.objects.filter(name="Anak").exists()
    assert AuditEntry.objects.filter(action__startswith="circulation.policy_").count() == 3


def test_a_second_rule_for_the_same_cell_is_refused_clearly(head, branches, policies):
    client = desk_client(head, branches[0])
    response = client.post(
        reverse("circulation:rule-create"), {"name": "Lagi", "member_category": "school_student"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is already a rule for this member category" in page and "“Pelajar”" in page
    assert not LoanPolicy.objects.filter(name="Lagi").exists()
