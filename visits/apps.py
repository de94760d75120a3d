from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visitor log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.roles import Role, add_role_permissions
        from core.navigation import Section, StaffLink, register

        statistics = {"visits.view_visit", "visits.view_inlibraryuse"}
        add_role_permissions(Role.LIBRARIAN, statistics | {"visits.add_inlibraryuse"})
        add_role_permissions(Role.HEAD, statistics)
        register(
            StaffLink(
                key="visits.statistics",
                label=_("Visitors"),
                url_name="visits:statistics",
                section=Section.DAILY,
                permission="visits.view_visit",
                description=_("Visitor log: counts per day, hour, category and purpose; CSV."),
                order=70,
            ),
            StaffLink(
                key="visits.in-library-use",
                label=_("In-library use"),
                url_name="visits:in-library-use",
                section=Section.DAILY,
                permission="visits.add_inlibraryuse",
                description=_("Scan items left on the tables (baca di tempat)."),
                order=71,
            ),
        )
