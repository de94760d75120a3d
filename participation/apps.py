from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from django.db.models.signals import post_save

        from accounts.roles import Role, add_role_permissions
        from catalog.models import Item
        from core import scheduling
        from core.navigation import Section, StaffLink, register
        from participation.signals import item_saved

        handle = {"participation.view_suggestion", "participation.handle_suggestions"}
        add_role_permissions(Role.LIBRARIAN, handle)
        add_role_permissions(Role.CATALOGUER, handle)
        add_role_permissions(Role.HEAD, handle)
        ideas = {"participation.manage_ideas", "participation.view_idea"}
        add_role_permissions(Role.PROGRAMME_COORDINATOR, ideas)
        add_role_permissions(Role.HEAD, ideas)
        register(
            StaffLink(
                key="participation.suggestions",
                label=_("Book suggestions"),
                url_name="participation:staff-suggestions",
                section=Section.COLLECTION,
                permission="participation.handle_suggestions",
                description=_("Members' purchase suggestions: accept, decline, order."),
                order=60,
                waiting=_new_suggestions,
            ),
            StaffLink(
                key="participation.reported",
                label=_("Reported comments"),
                url_name="participation:staff-reported",
                section=Section.PROGRAMMES,
                permission="participation.manage_ideas",
                description=_("Comments on ideas that members reported: hide or keep."),
                order=65,
                waiting=_reported_comments,
            ),
        )
        post_save.connect(item_saved, sender=Item, dispatch_uid="participation.item_saved")
        if not any(job.name == "participation" for job in scheduling.JOBS):
            scheduling.JOBS.append(scheduling.DailyJob("participation", dt.time(7, 30), _daily))


def _daily() -> object:
    from participation.tasks import send_ideas_digest

    return {"digest": send_ideas_digest()}


def _new_suggestions() -> int:
    """Suggestions waiting for a decision."""
    from participation.models import Suggestion
    from participation.states import SuggestionState

    return Suggestion.objects.filter(state=SuggestionState.SUBMITTED).count()


def _reported_comments() -> int:
    """Reported comments not yet hidden or kept."""
    from participation.models import CommentReport

    return CommentReport.objects.filter(outcome="").values("comment").distinct().count()
