from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Programmes and events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from accounts.roles import Role, add_role_permissions
        from core import scheduling
        from core.navigation import Section, StaffLink, register

        manage = {
            f"events.{action}_{model}"
            for action in ("view", "add", "change")
            for model in ("event", "series", "speaker", "partner", "question", "certificate")
        }
        door = {"events.view_event", "events.view_registration", "events.change_registration"}
        add_role_permissions(Role.PROGRAMME_COORDINATOR, manage | door | {"events.delete_question"})
        add_role_permissions(Role.LIBRARIAN, door)
        add_role_permissions(Role.HEAD, {"events.view_event", "events.view_registration"})
        register(
            StaffLink(
                key="events.list",
                label=_("Events"),
                url_name="events:staff-list",
                section=Section.PROGRAMMES,
                permission="events.view_event",
                description=_("Programmes and events: plan, publish, registrations, check-in."),
                order=10,
            ),
        )
        if not any(job.name == "events" for job in scheduling.JOBS):
            scheduling.JOBS.append(scheduling.DailyJob("events", dt.time(7, 20), _daily))


def _daily() -> object:
    from events.daily import run_daily

    return run_daily()
