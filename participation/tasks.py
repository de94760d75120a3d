from __future__ import annotations

from django_tasks import task


@task()
def send_suggestion_mail(suggestion_id: int) -> int:
    """Tell the member their suggestion's new status, in Indonesian (the member's language)."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from core.selectors import get_library
    from events.ics import base_url
    from participation.models import Suggestion

    suggestion = (
        Suggestion.objects.select_related("member", "record").filter(pk=suggestion_id).first()
    )
    if suggestion is None or not suggestion.member.email:
        return 0
    with translation.override(suggestion.member.preferred_language or "id"):
        body = render_to_string(
            "participation/email/status.txt",
            {
                "suggestion": suggestion,
                "library": get_library(),
                "link": base_url() + reverse("participation:mine"),
            },
        )
        subject = _("Your book suggestion: %(state)s") % {"state": suggestion.get_state_display()}
        return EmailMessage(subject, body, to=[suggestion.member.email]).send()


@task()
def send_idea_status_mail(idea_id: int) -> int:
    """Tell the member who proposed an idea its new status (with the reason and the event that
    came of it), in the member's language."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from core.selectors import get_library
    from events.ics import base_url
    from participation.models import Idea

    idea = Idea.objects.select_related("member", "event", "record").filter(pk=idea_id).first()
    if idea is None or not idea.member.email:
        return 0
    root = base_url()
    with translation.override(idea.member.preferred_language or "id"):
        body = render_to_string(
            "participation/email/idea_status.txt",
            {
                "idea": idea,
                "library": get_library(),
                "link": root + reverse("participation:idea", args=[idea.pk]),
                "event_link": (
                    root + reverse("events:detail", args=[idea.event_id]) if idea.event_id else ""
                ),
                "record_link": (
                    root + reverse("opac:record", args=[idea.record_id]) if idea.record_id else ""
                ),
            },
        )
        subject = _("Your idea: %(status)s") % {"status": idea.get_status_display()}
        return EmailMessage(subject, body, to=[idea.member.email]).send()


def send_ideas_digest(*, now=None) -> int:
    """The daily e-mail to programme coordinators: ideas proposed in the last day and comments
    members reported that wait for a decision. Nothing is sent when there is neither."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import timezone, translation
    from django.utils.translation import gettext as _

    from accounts.roles import Role, role_group_name
    from core.selectors import get_library
    from events.ics import base_url
    from participation.ideas import reported_comments
    from participation.models import Idea

    now = now or timezone.now()
    new_ideas = list(Idea.objects.filter(created_at__gt=now - dt.timedelta(days=1)).order_by("pk"))
    reported = list(reported_comments())
    if not new_ideas and not reported:
        return 0
    staff = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=role_group_name(Role.PROGRAMME_COORDINATOR))
        .exclude(email="")
        .distinct()
    )
    root = base_url()
    sent = 0
    for user in staff:
        with translation.override(getattr(user, "preferred_language", "") or "id"):
            body = render_to_string(
                "participation/email/ideas_digest.txt",
                {
                    "ideas": new_ideas,
                    "reported": reported,
                    "root": root,
                    "library": get_library(),
                },
            )
            subject = _("Programme ideas: %(ideas)s new, %(reported)s reported comments") % {
                "ideas": len(new_ideas),
                "reported": len(reported),
            }
            sent += EmailMessage(subject, body, to=[user.email]).send()
    return sent
