"""Staff navigation links of this part of the catalogue (registered from CatalogConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import Section, StaffLink, register


def register_links() -> None:
    register(
        StaffLink(
            key="importing.imports",
            label=_("Import records"),
            url_name="importing:list",
            section=Section.COLLECTION,
            permission="catalog.import_records",
            description=_("MARC21, MARCXML, CSV and Excel files, with progress and a report."),
            order=40,
        ),
        StaffLink(
            key="importing.export",
            label=_("Export the catalogue"),
            url_name="importing:export",
            section=Section.COLLECTION,
            permission="catalog.import_records",
            description=_("MARC21, MARCXML or CSV of the whole catalogue or of a search."),
            order=41,
        ),
    )
