from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "circulation"
    verbose_name = _("Circulation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.roles import Role, add_role_permissions
        from circulation import navigation

        navigation.register_links()

        desk = {
            "circulation.view_loan",
            "circulation.add_loan",
            "circulation.change_loan",
            "circulation.view_hold",
            "circulation.add_hold",
            "circulation.change_hold",
            "circulation.view_fineentry",
            "circulation.add_fineentry",
            "circulation.view_notice",
            "circulation.view_loanpolicy",
            "circulation.view_transfer",
            "circulation.change_transfer",
        }
        add_role_permissions(Role.LIBRARIAN, desk)
        add_role_permissions(
            Role.HEAD,
            desk
            | {
                "circulation.override_rules",
                "circulation.waive_fine",
                "circulation.add_loanpolicy",
                "circulation.change_loanpolicy",
                "circulation.delete_loanpolicy",
            },
        )
        add_role_permissions(
            Role.SYSADMIN,
            {
                "circulation.view_loanpolicy",
                "circulation.add_loanpolicy",
                "circulation.change_loanpolicy",
            },
        )
        from circulation import notice_views

        notice_views.wire_up()

        from django.db.models.signals import post_delete, post_save

        from circulation.models import LoanPolicy
        from circulation.selectors import forget_loan_policies

        def policies_changed(**kwargs) -> None:
            forget_loan_policies()

        for signal in (post_save, post_delete):
            signal.connect(
                policies_changed, sender=LoanPolicy, weak=False, dispatch_uid="loan-policies"
            )
