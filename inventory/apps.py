from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Stocktake")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.roles import Role, add_role_permissions
        from core.navigation import Section, StaffLink, register
        from inventory import services  # noqa: F401 - registers the audit actions

        stocktake = {
            "inventory.view_stocktakesession",
            "inventory.add_stocktakesession",
            "inventory.change_stocktakesession",
        }
        add_role_permissions(Role.LIBRARIAN, stocktake)
        add_role_permissions(Role.CATALOGUER, stocktake)
        add_role_permissions(Role.HEAD, {"inventory.view_stocktakesession"})
        register(
            StaffLink(
                key="inventory.stocktake",
                label=_("Stocktake"),
                url_name="inventory:sessions",
                section=Section.COLLECTION,
                permission="inventory.view_stocktakesession",
                description=_("Stock opname: scan the shelves or upload a reader's file."),
                order=40,
            )
        )
