from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Sip2Config(AppConfig):
    name = "sip2"
    verbose_name = _("Self-check (SIP2)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.roles import Role, add_role_permissions
        from core.navigation import Section, StaffLink, register

        manage = {
            "sip2.view_sipaccount",
            "sip2.add_sipaccount",
            "sip2.change_sipaccount",
        }
        add_role_permissions(Role.LIBRARIAN, manage)
        add_role_permissions(Role.HEAD, manage | {"sip2.delete_sipaccount"})
        register(
            StaffLink(
                key="sip2.accounts",
                label=_("Self-check kiosks"),
                url_name="sip2:accounts",
                section=Section.DAILY,
                permission="sip2.view_sipaccount",
                description=_("SIP2 accounts of kiosks, book returns and sorters; their activity."),
                order=60,
            )
        )
