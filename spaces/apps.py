from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "spaces"
    verbose_name = _("Spaces and bookings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from accounts.roles import Role, add_role_permissions
        from core import scheduling
        from core.navigation import Section, StaffLink, register

        desk = {"spaces.view_booking", "spaces.manage_bookings", "spaces.block_space"}
        setup = {
            f"spaces.{action}_{model}"
            for action in ("view", "add", "change")
            for model in ("space", "equipment", "bookingrule")
        }
        setup |= {"spaces.delete_bookingrule"}
        add_role_permissions(Role.LIBRARIAN, desk)
        add_role_permissions(Role.PROGRAMME_COORDINATOR, desk | setup)
        add_role_permissions(Role.HEAD, {"spaces.view_booking"} | setup)
        register(
            StaffLink(
                key="spaces.day",
                label=_("Rooms and bookings"),
                url_name="spaces:staff-day",
                section=Section.DAILY,
                permission="spaces.view_booking",
                description=_("The day sheet per branch, approvals, check-in and blocks."),
                order=60,
            ),
            StaffLink(
                key="spaces.setup",
                label=_("Rooms, equipment and booking rules"),
                url_name="spaces:staff-setup",
                section=Section.PROGRAMMES,
                permission="spaces.view_space",
                description=_("Add and change rooms, their photos, equipment and booking rules."),
                order=40,
            ),
        )
        if not any(job.name == "spaces-release" for job in scheduling.JOBS):
            # Every 5 minutes, so a slot not checked in is free again soon after its window
            # closes (each new booking of a space also releases that space first).
            scheduling.JOBS.append(
                scheduling.IntervalJob("spaces-release", dt.timedelta(minutes=5), _release)
            )


def _release() -> object:
    from spaces.services import release_no_shows

    return {"released": release_no_shows()}
