from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from accounts.roles import Role, add_role_permissions
        from core import scheduling
        from core.navigation import Section, StaffLink, register

        build = {f"surveys.{action}_survey" for action in ("view", "add", "change")}
        results = {"surveys.view_survey", "surveys.view_results"}
        add_role_permissions(Role.PROGRAMME_COORDINATOR, build | results)
        add_role_permissions(Role.HEAD, build | results)
        register(
            StaffLink(
                key="surveys.list",
                label=_("Surveys and IKM"),
                url_name="surveys:staff-list",
                section=Section.PROGRAMMES,
                permission="surveys.view_survey",
                description=_("Questionnaires, the public satisfaction index (IKM) and results."),
                order=80,
            ),
            StaffLink(
                key="surveys.evaluation",
                label=_("Programme evaluation"),
                url_name="surveys:staff-evaluation",
                section=Section.PROGRAMMES,
                permission="surveys.view_results",
                description=_(
                    "Events and services over a period: which are most used and best rated."
                ),
                order=81,
            ),
        )
        from django.db.models.signals import post_delete, post_save

        from surveys import sending, services  # noqa: F401  (registers the audit actions)
        from surveys.invitations import forget_shown_surveys
        from surveys.models import Survey

        # The surveys shown on public pages are cached: forget them on every change.
        post_save.connect(forget_shown_surveys, sender=Survey, dispatch_uid="surveys-shown")
        post_delete.connect(forget_shown_surveys, sender=Survey, dispatch_uid="surveys-shown-del")

        # Every hour, so the thank-you with the feedback survey arrives soon after the event.
        if not any(job.name == "surveys-sending" for job in scheduling.JOBS):
            scheduling.JOBS.append(
                scheduling.IntervalJob("surveys-sending", dt.timedelta(hours=1), _sweep)
            )


def _sweep() -> object:
    """Feedback surveys after events, surveys after closed questions (safe to run twice)."""
    from surveys.sending import run_sweeps

    return run_sweeps()
