"""Ask a librarian: the public form (from any page), the asker's thread (signed link), the
public FAQ, and the staff queue and question screen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from accounts.roles import Role, role_group_name
from conversations import selectors, services, throttle
from conversations.forms import (
    AskForm,
    FaqForm,
    NoteForm,
    RateForm,
    ReplyForm,
    SavedReplyForm,
    StaffReplyForm,
)
from conversations.models import Question, QuestionTopic, SavedReply
from conversations.states import RATEABLE_STATES, QuestionState
from core.errors import DomainError

PERMISSION = "conversations.answer_question"


def _allowed(request: HttpRequest, scope: str) -> bool:
    return throttle.allow_request(request, scope)


# ---------------------------------------------------------------------------------------------
# Public


def ask(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AskForm(request.POST)
        if form.is_valid() and form.cleaned_data["homepage"]:
            # A bot filled the hidden field: pretend success, store nothing.
            return render(request, "conversations/ask_thanks.html")
        if form.is_valid() and not _allowed(request, "ask"):
            form.add_error(
                None, _("Too many questions from here in the last hour. Please try later.")
            )
        elif form.is_valid():
            data = form.cleaned_data
            try:
                question = services.ask(
                    data["body"],
                    name=data["name"],
                    email=data["email"],
                    page_url=data["page_url"],
                    user=request.user,
                    language=get_language() or "id",
                    topic=data.get("topic") or "",
                )
            except DomainError as err:
                form.add_error("body", str(err))
            else:
                messages.success(
                    request,
                    _("Thank you: your question is with the library. Keep this page's address."),
                )
                return redirect("conversations:thread", selectors.question_token(question))
    else:
        user = request.user
        initial = {"page_url": request.GET.get("from", "")}
        if user.is_authenticated:
            initial["name"] = user.get_full_name() or user.get_username()
            initial["email"] = user.email
        form = AskForm(initial=initial)
    return render(request, "conversations/ask.html", {"form": form})


def _question_or_404(token: str) -> Question:
    question = selectors.question_by_token(token)
    if question is None:
        raise Http404(_("This link is not valid."))
    return question


def thread(request: HttpRequest, token: str) -> HttpResponse:
    question = _question_or_404(token)
    return render(
        request,
        "conversations/thread.html",
        {
            "question": question,
            "token": token,
            "thread": selectors.thread(question, staff=False),
            "reply_form": ReplyForm() if question.state != QuestionState.CLOSED else None,
            "rate_form": RateForm()
            if question.state in RATEABLE_STATES and question.rating is None
            else None,
        },
    )


@require_POST
def thread_reply(request: HttpRequest, token: str) -> HttpResponse:
    question = _question_or_404(token)
    form = ReplyForm(request.POST)
    if not _allowed(request, "reply"):
        messages.error(
            request, _("Too many messages from here in the last hour. Please try later.")
        )
    elif form.is_valid():
        try:
            services.patron_reply(question, form.cleaned_data["body"])
        except DomainError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, _("Your message has been sent to the library."))
    else:
        messages.error(request, _("Please write your message (up to 5,000 characters)."))
    return redirect("conversations:thread", token)


@require_POST
def thread_rate(request: HttpRequest, token: str) -> HttpResponse:
    question = _question_or_404(token)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.rate(
                question, form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except DomainError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, _("Thank you for rating the answer."))
    else:
        messages.error(request, _("Choose a rating from 1 to 5."))
    return redirect("conversations:thread", token)


def faq(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request, "conversations/faq.html", {"entries": selectors.public_faq(query), "q": query}
    )


# ---------------------------------------------------------------------------------------------
# Staff


@staff_required(PERMISSION)
def staff_queue(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "active")
    if show not in selectors.QUEUE_FILTERS:
        show = "active"
    questions = selectors.queue(show=show, user=request.user)[:200]
    return render(
        request,
        "conversations/staff_queue.html",
        {"questions": questions, "show": show, "filters": _filters()},
    )


def _filters() -> list[tuple[str, str]]:
    return [
        ("active", _("New and open")),
        ("mine", _("Mine")),
        ("unclaimed", _("Not claimed")),
        ("waiting", _("Waiting for the patron")),
        ("answered", _("Answered")),
        ("closed", _("Closed")),
        ("all", _("All")),
    ]


def _staff_users():
    groups = [role_group_name(Role.LIBRARIAN), role_group_name(Role.HEAD)]
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=groups)
        .distinct()
        .order_by("username")
    )


@staff_required(PERMISSION)
def staff_question(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("assignee", "asker"), pk=pk)
    initial = {}
    saved_id = request.GET.get("saved", "")
    if saved_id.isdigit():
        saved = SavedReply.objects.filter(pk=int(saved_id)).first()
        if saved:
            initial["body"] = saved.body
    first = question.first_message
    return render(
        request,
        "conversations/staff_question.html",
        {
            "question": question,
            "thread": selectors.thread(question, staff=True),
            "reply_form": StaffReplyForm(initial=initial, auto_id="reply_%s"),
            "note_form": NoteForm(auto_id="note_%s"),
            "faq_form": FaqForm(
                initial={"question_text": first.body if first else ""}, auto_id="faq_%s"
            ),
            "saved_replies": selectors.saved_replies(),
            "staff_users": _staff_users(),
            "topics": QuestionTopic.choices,
            "can_faq": question.state in RATEABLE_STATES,
            "events": question.events.select_related("by"),
            "refused_mail": selectors.refused_mail(question),
        },
    )


@require_POST
@staff_required(PERMISSION)
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    question = get_object_or_404(Question, pk=pk)
    user = request.user
    try:
        if action == "claim":
            services.claim(question, staff=user)
            messages.success(request, _("You have claimed this question."))
        elif action == "assign":
            to = get_object_or_404(_staff_users(), pk=request.POST.get("to") or 0)
            services.assign(question, to, by=user)
            messages.success(request, _("Question assigned."))
        elif action == "reply":
            form = StaffReplyForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Please write a reply (up to 5,000 characters)."))
            else:
                services.reply(
                    question,
                    form.cleaned_data["body"],
                    staff=user,
                    wait_for_patron=form.cleaned_data["wait_for_patron"],
                )
                messages.success(request, _("Reply sent to the patron."))
        elif action == "note":
            form = NoteForm(request.POST)
            if form.is_valid():
                services.add_note(question, form.cleaned_data["body"], staff=user)
                messages.success(request, _("Note added."))
            else:
                messages.error(request, _("Please write the note (up to 5,000 characters)."))
        elif action == "topic":
            services.set_topic(question, request.POST.get("topic", ""), by=user)
            messages.success(request, _("Topic changed."))
        elif action == "close":
            services.close(question, staff=user)
            messages.success(request, _("Question closed."))
        elif action == "reopen":
            services.reopen(question, staff=user)
            messages.success(request, _("Question reopened."))
        elif action == "faq":
            form = FaqForm(request.POST)
            if form.is_valid():
                services.publish_faq(
                    question,
                    form.cleaned_data["question_text"],
                    form.cleaned_data["answer_text"],
                    staff=user,
                )
                messages.success(request, _("Published in the FAQ."))
            else:
                messages.error(request, _("Please give both the question and the answer."))
        else:
            raise Http404
    except DomainError as err:
        messages.error(request, str(err))
    return redirect("conversations:staff-question", question.pk)


@staff_required(PERMISSION)
def staff_saved_replies(request: HttpRequest) -> HttpResponse:
    form = SavedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved reply added."))
        return redirect("conversations:staff-saved-replies")
    return render(
        request,
        "conversations/staff_saved_replies.html",
        {"form": form, "saved_replies": selectors.saved_replies()},
    )
