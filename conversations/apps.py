from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Questions and feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.roles import Role, add_role_permissions
        from core.navigation import Section, StaffLink, register

        answer = {
            "conversations.answer_question",
            "conversations.view_question",
            "conversations.view_savedreply",
            "conversations.add_savedreply",
            "conversations.change_savedreply",
        }
        add_role_permissions(Role.LIBRARIAN, answer)
        add_role_permissions(Role.HEAD, answer)
        register(
            StaffLink(
                key="conversations.queue",
                label=_("Questions from patrons"),
                url_name="conversations:staff-queue",
                section=Section.DAILY,
                permission="conversations.answer_question",
                description=_("Ask a librarian: the shared queue, replies, notes and the FAQ."),
                order=70,
            ),
        )
