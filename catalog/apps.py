from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.roles import Role, add_role_permissions
        from catalog.cataloguing import navigation as cataloguing_navigation
        from catalog.importing import navigation as importing_navigation
        from catalog.opac import navigation as opac_navigation

        cataloguing_navigation.register_links()
        importing_navigation.register_links()
        opac_navigation.register_links()

        cataloguing = {
            f"catalog.{action}_{model}"
            for action in ("add", "change", "delete", "view")
            for model in ("record", "item", "contributor", "subject", "importjob")
        } | {"catalog.import_records", "catalog.print_labels"}
        add_role_permissions(Role.CATALOGUER, cataloguing)
        add_role_permissions(
            Role.LIBRARIAN,
            {
                "catalog.view_record",
                "catalog.view_item",
                "catalog.change_item",
                "catalog.print_labels",
            },
        )
        add_role_permissions(
            Role.HEAD, {"catalog.view_record", "catalog.view_item", "catalog.view_importjob"}
        )
