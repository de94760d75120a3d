from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import audit_actions, navigation  # noqa: F401
        from accounts.roles import sync_role_groups

        navigation.register_links()
        # After every migrate, so permissions added by later apps reach the roles.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
