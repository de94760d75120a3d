"""Roles: who may do what. One group per role, with the permissions listed here.

This table is the one place to read (and change) what each role may do. Later apps add their
permissions to it. Groups are brought in line after every `migrate` (`sync_role_groups`), so a
permission that does not exist yet (its app not migrated) is skipped, not an error.

Permissions are enforced in services (`core.permissions.require`) and in views
(`accounts.decorators.staff_required`); the navigation only hides what a role cannot use.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    LIBRARIAN = "librarian", _("Librarian (desk)")
    CATALOGUER = "cataloguer", _("Cataloguer")
    PROGRAMME_COORDINATOR = "programme_coordinator", _("Programme coordinator")
    HEAD = "head", _("Head of library")
    SYSADMIN = "sysadmin", _("System administrator")


STAFF_ROLES = frozenset(
    {Role.LIBRARIAN, Role.CATALOGUER, Role.PROGRAMME_COORDINATOR, Role.HEAD, Role.SYSADMIN}
)

# Roles whose holders must sign in with a second factor (TOTP). Others are offered it.
TWO_FACTOR_REQUIRED = frozenset({Role.HEAD, Role.SYSADMIN})

_MEMBER_DATA_READ = {"patrons.view_member"}
_MEMBER_DATA_WRITE = {"patrons.add_member", "patrons.change_member"}
_LIBRARY_SETTINGS = {
    "core.change_library",
    "core.view_branch",
    "core.add_branch",
    "core.change_branch",
    "core.add_closedday",
    "core.change_closedday",
    "core.delete_closedday",
}

ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.MEMBER: set(),
    Role.LIBRARIAN: _MEMBER_DATA_READ | _MEMBER_DATA_WRITE,
    Role.CATALOGUER: set(),
    Role.PROGRAMME_COORDINATOR: set(),
    Role.HEAD: _MEMBER_DATA_READ | _LIBRARY_SETTINGS | {"core.view_auditentry"},
    Role.SYSADMIN: _LIBRARY_SETTINGS
    | {
        "core.view_auditentry",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.manage_roles",
        "accounts.view_loginthrottle",
        "accounts.change_loginthrottle",
    },
}


def add_role_permissions(role: Role, permissions: set[str]) -> None:
    """For later apps: grant `permissions` to `role` (call at import of the app's roles module)."""
    ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS[role] | permissions


def role_group_name(role: Role) -> str:
    return f"role:{role.value}"


def sync_role_groups(**kwargs) -> None:
    """Create one group per role and give it exactly the permissions in ROLE_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _created = Group.objects.get_or_create(name=role_group_name(role))
        wanted = ROLE_PERMISSIONS[role]
        by_app: dict[str, set[str]] = {}
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            by_app.setdefault(app_label, set()).add(codename)
        permissions = []
        for app_label, codenames in by_app.items():
            permissions += list(
                Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
        group.permissions.set(permissions)


def roles_of(user) -> set[Role]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_pustaka_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = {role for role in Role if role_group_name(role) in names}
        user._pustaka_roles = cached
    return cached


def is_staff_member(user) -> bool:
    """Holds at least one staff role (not Django's is_staff, which is the admin site flag)."""
    return bool(roles_of(user) & STAFF_ROLES) or getattr(user, "is_superuser", False)


def requires_two_factor(user) -> bool:
    return bool(roles_of(user) & TWO_FACTOR_REQUIRED) or getattr(user, "is_superuser", False)
