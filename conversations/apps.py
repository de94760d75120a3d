from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Questions and feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from accounts.roles import Role, add_role_permissions
        from core import scheduling
        from core.navigation import Section, StaffLink, register

        answer = {
            "conversations.answer_question",
            "conversations.view_question",
            "conversations.view_savedreply",
            "conversations.add_savedreply",
            "conversations.change_savedreply",
        }
        feedback = {"conversations.handle_feedback", "conversations.view_feedback"}
        add_role_permissions(Role.LIBRARIAN, answer | feedback)
        add_role_permissions(Role.HEAD, answer | feedback)
        register(
            StaffLink(
                key="conversations.queue",
                label=_("Questions from patrons"),
                url_name="conversations:staff-queue",
                section=Section.DAILY,
                permission="conversations.answer_question",
                description=_("Ask a librarian: the shared queue, replies, notes and the FAQ."),
                order=70,
                waiting=_new_questions,
            ),
            StaffLink(
                key="conversations.feedback",
                label=_("Feedback and complaints"),
                url_name="conversations:staff-feedback",
                section=Section.DAILY,
                permission="conversations.handle_feedback",
                description=_(
                    "Suggestions and complaints with their deadlines; “you said, we did”."
                ),
                waiting=_new_feedback,
                order=71,
            ),
            StaffLink(
                key="conversations.stats",
                label=_("Response times"),
                url_name="conversations:staff-stats",
                section=Section.ADMINISTRATION,
                permission="conversations.handle_feedback",
                description=_(
                    "Questions and feedback: median and 90th percentile times, lateness, ratings."
                ),
                order=80,
            ),
        )
        if not any(job.name == "conversations" for job in scheduling.JOBS):
            scheduling.JOBS.append(scheduling.DailyJob("conversations", dt.time(7, 30), _daily))


def _daily() -> object:
    from conversations.feedback import escalate_overdue
    from conversations.mail import send_staff_digest

    return {"escalated": escalate_overdue(), "digest": send_staff_digest()}


def _new_questions() -> int:
    """Questions nobody has claimed or answered yet."""
    from conversations.models import Question
    from conversations.states import QuestionState

    return Question.objects.filter(state=QuestionState.NEW).count()


def _new_feedback() -> int:
    """Feedback received and not yet answered."""
    from conversations.models import Feedback
    from conversations.states import FeedbackState

    return Feedback.objects.filter(state=FeedbackState.RECEIVED).count()
