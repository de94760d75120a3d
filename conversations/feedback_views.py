"""Feedback and complaints: the public form, the person's status page (signed link), the
public "you said, we did" page, and the staff list and handling screen."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from conversations import feedback as services
from conversations import selectors
from conversations.forms import (
    FeedbackCloseForm,
    FeedbackForm,
    FeedbackPublishForm,
    FeedbackResolveForm,
    FeedbackRespondForm,
)
from conversations.models import Feedback
from conversations.states import FEEDBACK_OPEN_STATES, FeedbackState
from conversations.views import _allowed
from core.errors import DomainError

PERMISSION = "conversations.handle_feedback"


def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = FeedbackForm(request.POST, request.FILES)
        if form.is_valid() and form.cleaned_data["homepage"]:
            return render(request, "conversations/feedback_thanks.html")
        if form.is_valid() and not _allowed(request, "feedback"):
            form.add_error(
                None, _("Too many messages from here in the last hour. Please try later.")
            )
        elif form.is_valid():
            data = form.cleaned_data
            try:
                item = services.submit(
                    data["category"],
                    data["body"],
                    rating=data["rating"],
                    is_anonymous=data["is_anonymous"],
                    name=data["name"],
                    email=data["email"],
                    photo=data["photo"],
                    user=request.user,
                    language=get_language() or "id",
                )
            except DomainError as err:
                form.add_error(None, str(err))
            else:
                messages.success(
                    request,
                    _("Thank you: your feedback is with the library. Keep this page's address."),
                )
                return redirect("conversations:feedback-status", selectors.feedback_token(item))
    else:
        initial = {}
        if request.user.is_authenticated:
            initial = {
                "name": request.user.get_full_name() or request.user.get_username(),
                "email": request.user.email,
            }
        form = FeedbackForm(initial=initial)
    return render(request, "conversations/feedback_form.html", {"form": form})


def status(request: HttpRequest, token: str) -> HttpResponse:
    item = selectors.feedback_by_token(token)
    if item is None:
        raise Http404(_("This link is not valid."))
    return render(request, "conversations/feedback_status.html", {"item": item})


def you_said_we_did(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "conversations/you_said_we_did.html",
        {"items": selectors.you_said_we_did()[:100]},
    )


def _feedback_filters():
    return [
        ("open", _("Open")),
        ("overdue", _("Past a deadline")),
        (FeedbackState.RESOLVED, _("Resolved")),
        (FeedbackState.CLOSED, _("Closed without action")),
        ("all", _("All")),
    ]


@staff_required(PERMISSION)
def staff_list(request: HttpRequest) -> HttpResponse:
    from conversations.feedback import _today

    show = request.GET.get("show", "open")
    valid = {key for key, _label in _feedback_filters()}
    show = show if show in valid else "open"
    today = _today()
    return render(
        request,
        "conversations/staff_feedback_list.html",
        {
            "items": selectors.feedback_queue(show=show, on=today)[:200],
            "show": show,
            "filters": _feedback_filters(),
            "today": today,
        },
    )


@staff_required(PERMISSION)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from conversations.feedback import _today

    item = get_object_or_404(Feedback, pk=pk)
    today = _today()
    is_open = item.state in FEEDBACK_OPEN_STATES
    return render(
        request,
        "conversations/staff_feedback_detail.html",
        {
            "item": item,
            "today": today,
            "is_open": is_open,
            "response_late": is_open
            and not item.first_response_at
            and item.response_due_on < today,
            "resolution_late": is_open and item.resolution_due_on < today,
            "respond_form": FeedbackRespondForm(
                initial={"text": item.response}, auto_id="respond_%s"
            ),
            "resolve_form": FeedbackResolveForm(auto_id="resolve_%s"),
            "close_form": FeedbackCloseForm(auto_id="close_%s"),
            "publish_form": FeedbackPublishForm(
                initial={"text": item.public_summary}, auto_id="publish_%s"
            ),
            "events": item.events.select_related("by"),
            "now": timezone.now(),
        },
    )


# Lazy: these are read in each request's own language, not in the one active at import.
FORMS = {
    "respond": (FeedbackRespondForm, services.respond, gettext_lazy("Response saved and sent.")),
    "resolve": (FeedbackResolveForm, services.resolve, gettext_lazy("Marked resolved.")),
    "close": (FeedbackCloseForm, services.close, gettext_lazy("Closed without action.")),
    "publish": (
        FeedbackPublishForm,
        services.publish,
        gettext_lazy("Published on “you said, we did”."),
    ),
}


@require_POST
@staff_required(PERMISSION)
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_object_or_404(Feedback, pk=pk)
    try:
        if action == "reopen":
            services.reopen(item, staff=request.user)
            messages.success(request, _("Reopened."))
        elif action == "unpublish":
            services.publish(item, "", staff=request.user, published=False)
            messages.success(request, _("Removed from “you said, we did”."))
        elif action in FORMS:
            form_class, service, done = FORMS[action]
            form = form_class(request.POST)
            if form.is_valid():
                service(item, form.cleaned_data["text"], staff=request.user)
                messages.success(request, str(done))
            else:
                messages.error(request, _("Please fill in the text (it is required)."))
        else:
            raise Http404
    except DomainError as err:
        messages.error(request, str(err))
    return redirect("conversations:staff-feedback-detail", item.pk)


@staff_required()
def staff_stats(request: HttpRequest) -> HttpResponse:
    """Response times of questions and feedback for a period (default: this month so far)."""
    import datetime as dt

    from django.core.exceptions import PermissionDenied

    from conversations import stats
    from conversations.feedback import _today

    user = request.user
    if not (user.has_perm(PERMISSION) or user.has_perm("conversations.answer_question")):
        raise PermissionDenied
    today = _today()
    start, end = today.replace(day=1), today
    error = ""
    try:
        if request.GET.get("start"):
            start = dt.date.fromisoformat(request.GET["start"])
        if request.GET.get("end"):
            end = dt.date.fromisoformat(request.GET["end"])
    except ValueError:
        error = _("Give the dates as YYYY-MM-DD.")
        start, end = today.replace(day=1), today
    if end < start:
        error = _("The end of the period is before its start.")
        start, end = end, start
    return render(
        request,
        "conversations/staff_stats.html",
        {
            "start": start,
            "end": end,
            "error": error,
            "questions": stats.question_stats(start, end),
            "feedback": stats.feedback_stats(start, end, today=today),
        },
    )
