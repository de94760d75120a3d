"""Roles are groups with the permissions in accounts.roles; views and services enforce them."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.roles import ROLE_PERMISSIONS, Role, role_group_name, roles_of
from accounts.services import set_roles
from core.errors import PermissionDeniedError
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_with_exactly_its_permissions():
    for role in Role:
        group = Group.objects.get(name=role_group_name(role))
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == ROLE_PERMISSIONS[role], role


@pytest.mark.parametrize(
    ("role", "page", "status"),
    [
        ("librarian", "patrons:member-list", 200),
        ("librarian", "core:library-edit", 403),
        ("librarian", "core:audit-log", 403),
        ("cataloguer", "patrons:member-list", 403),
        ("programme_coordinator", "patrons:member-list", 403),
        ("head", "core:audit-log", 200),
        ("head", "core:library-edit", 200),
        ("sysadmin", "core:branch-list", 200),
        ("sysadmin", "patrons:member-list", 403),
    ],
)
def test_each_role_reaches_what_it_needs_and_no_more(library, make_user, role, page, status):
    from core.tests.test_views import signed_in

    user = make_user(f"u-{role}", roles={role}, totp=role in {"head", "sysadmin"})
    assert signed_in(user).get(reverse(page)).status_code == status


def test_a_member_is_not_let_into_the_staff_area(library, make_user):
    client = Client()
    client.force_login(make_user("rina", roles={"member"}))
    assert client.get(reverse("core:staff-home")).status_code == 403


def test_staff_navigation_shows_only_permitted_links(library, make_user):
    from core.tests.test_views import signed_in

    html = signed_in(make_user("siti", roles={"librarian"})).get("/staff/").content.decode()
    assert reverse("patrons:member-list") in html
    assert reverse("core:audit-log") not in html
    assert reverse("core:library-edit") not in html


def test_only_a_system_administrator_changes_roles_and_it_is_audited(library, make_user):
    admin = make_user("admin", roles={"sysadmin"})
    head = make_user("kepala", roles={"head"})
    target = make_user("siti", roles={"librarian"})
    with pytest.raises(PermissionDeniedError):
        set_roles(target, {Role.HEAD}, by=head)
    assert roles_of(target) == {Role.LIBRARIAN}
    set_roles(target, {Role.LIBRARIAN, Role.CATALOGUER}, by=admin)
    target.refresh_from_db()
    assert roles_of(target) == {Role.LIBRARIAN, Role.CATALOGUER}
    entry = AuditEntry.objects.filter(action="user.roles", object_id=str(target.pk)).first()
    assert entry.actor == admin
    assert "role:cataloguer" in entry.details["after"]


def test_system_administrator_alone_gets_the_admin_site_flag(library, make_user):
    assert make_user("admin", roles={"sysadmin"}).is_staff
    assert not make_user("kepala", roles={"head"}).is_staff


def test_permissions_come_from_the_roles_table_in_one_query(make_user, django_assert_num_queries):
    from accounts.models import User

    user = make_user("desk", roles={"librarian"})
    fresh = User.objects.get(pk=user.pk)  # as a new request loads it
    with django_assert_num_queries(1):  # the role groups' names, then nothing
        assert fresh.has_perm("circulation.add_loan")
        assert fresh.has_perm("patrons.view_member")
        assert not fresh.has_perm("circulation.waive_fine")
    set_roles(user, {Role.CATALOGUER}, by=None)
    fresh = User.objects.get(pk=user.pk)
    assert not fresh.has_perm("circulation.add_loan")  # the next request sees the change
