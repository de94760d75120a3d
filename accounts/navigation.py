from django.utils.translation import gettext_lazy as _

from core.navigation import Section, StaffLink, register


def register_links() -> None:
    register(
        StaffLink(
            key="accounts.admin",
            label=_("Users and roles"),
            url_name="admin:accounts_user_changelist",
            section=Section.ADMINISTRATION,
            permission="accounts.manage_roles",
            description=_("Staff accounts, their roles, sign-in locks."),
            order=80,
        ),
    )
