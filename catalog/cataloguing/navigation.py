"""Staff navigation links of this part of the catalogue (registered from CatalogConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import Section, StaffLink, register


def register_links() -> None:
    register(
        StaffLink(
            key="cataloguing.home",
            label=_("Cataloguing"),
            url_name="cataloguing:home",
            section=Section.COLLECTION,
            permission="catalog.view_record",
            description=_("Find, add and edit records and their copies; covers."),
            order=10,
        ),
        StaffLink(
            key="cataloguing.add-record",
            label=_("Add a record"),
            url_name="cataloguing:record-create",
            section=Section.COLLECTION,
            permission="catalog.add_record",
            description=_("Describe a new title, then add its copies."),
            order=11,
        ),
        StaffLink(
            key="cataloguing.labels",
            label=_("Spine and barcode labels"),
            url_name="cataloguing:labels",
            section=Section.COLLECTION,
            permission="catalog.print_labels",
            description=_("Print labels on A4 label sheets, from any position on the sheet."),
            order=30,
        ),
    )
