"""The public idea board, proposing, voting and commenting (members), and the staff controls
on an idea's page (status with a reason, the event that came of it, hiding a comment)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import member_required, staff_required
from conversations.throttle import allow_request
from core.errors import DomainError
from participation import ideas
from participation.models import Comment, Idea, IdeaKind, ReportReason, Vote
from participation.states import IdeaStatus
from patrons.selectors import member_for_user


def board(request: HttpRequest) -> HttpResponse:
    sort = "new" if request.GET.get("sort") == "new" else "votes"
    return render(
        request,
        "participation/idea_board.html",
        {"ideas": ideas.board(sort=sort)[:100], "sort": sort},
    )


@member_required
def propose(request: HttpRequest) -> HttpResponse:
    member = member_for_user(request.user)
    if member is None:
        return render(request, "participation/no_member.html")
    error = ""
    if request.method == "POST":
        if not allow_request(request, "idea"):
            error = _("Too many messages from here in the last hour. Please try later.")
        else:
            try:
                idea = ideas.propose(
                    member,
                    kind=request.POST.get("kind", ""),
                    title=request.POST.get("title", ""),
                    body=request.POST.get("body", ""),
                )
            except DomainError as err:
                error = str(err)
            else:
                return redirect("participation:idea", idea.pk)
    return render(
        request,
        "participation/idea_form.html",
        {"kinds": IdeaKind.choices, "error": error, "data": request.POST},
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea.objects.select_related("event", "record"), pk=pk)
    member = member_for_user(request.user)
    can_manage = request.user.has_perm(ideas.PERMISSION)
    comments = idea.comments.select_related("member")
    return render(
        request,
        "participation/idea_detail.html",
        {
            "idea": idea,
            "member": member,
            "voted": bool(member and Vote.objects.filter(idea=idea, member=member).exists()),
            "comments": comments if can_manage else comments.filter(is_hidden=False),
            "can_manage": can_manage,
            "statuses": IdeaStatus.choices,
            "report_reasons": ReportReason.choices,
        },
    )


@require_POST
@member_required
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=pk)
    member = member_for_user(request.user)
    if member is None:
        messages.error(request, _("Only members can vote."))
    else:
        try:
            voted = ideas.toggle_vote(idea, member)
        except DomainError as err:
            messages.error(request, str(err))
        else:
            messages.success(
                request, _("Your vote is counted.") if voted else _("Vote taken back.")
            )
    return redirect("participation:idea", idea.pk)


@require_POST
@member_required
def add_comment(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=pk)
    member = member_for_user(request.user)
    if member is None:
        messages.error(request, _("Only members can comment."))
    elif not allow_request(request, "comment"):
        messages.error(
            request, _("Too many messages from here in the last hour. Please try later.")
        )
    else:
        try:
            ideas.comment(idea, member, request.POST.get("body", ""))
        except DomainError as err:
            messages.error(request, str(err))
    return redirect("participation:idea", idea.pk)


@require_POST
@staff_required(ideas.PERMISSION)
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    from catalog.models import Record
    from events.models import Event

    idea = get_object_or_404(Idea, pk=pk)
    event_id = request.POST.get("event", "").strip()
    event = Event.objects.filter(pk=event_id).first() if event_id.isdigit() else None
    record_id = request.POST.get("record", "").strip()
    record = Record.objects.filter(pk=record_id).first() if record_id.isdigit() else None
    if record_id and record is None:
        messages.error(
            request,
            _("No catalogue record has the number %(number)s.") % {"number": record_id[:20]},
        )
        return redirect("participation:idea", idea.pk)
    try:
        ideas.set_status(
            idea,
            request.POST.get("status", ""),
            staff=request.user,
            reason=request.POST.get("reason", ""),
            event=event,
            record=record,
        )
        messages.success(request, _("Status changed."))
    except DomainError as err:
        messages.error(request, str(err))
    return redirect("participation:idea", idea.pk)


@require_POST
@staff_required(ideas.PERMISSION)
def hide_comment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Comment, pk=pk)
    try:
        ideas.hide_comment(item, request.POST.get("reason", ""), staff=request.user)
        messages.success(request, _("Comment hidden."))
    except DomainError as err:
        messages.error(request, str(err))
    return redirect("participation:idea", item.idea_id)


@require_POST
@member_required
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Comment.objects.filter(is_hidden=False), pk=pk)
    member = member_for_user(request.user)
    if member is None:
        messages.error(request, _("Only members can report a comment."))
    elif not allow_request(request, "report"):
        messages.error(request, _("Too many reports from here in the last hour. Please try later."))
    else:
        try:
            ideas.report_comment(
                item, member, request.POST.get("reason", ""), note=request.POST.get("note", "")
            )
        except DomainError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, _("Thank you: the library will look at this comment."))
    return redirect("participation:idea", item.idea_id)


@staff_required(ideas.PERMISSION)
def reported(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "participation/staff_reported.html",
        {"comments": ideas.reported_comments()[:200]},
    )


@require_POST
@staff_required(ideas.PERMISSION)
def moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_object_or_404(Comment, pk=pk)
    try:
        if action == "hide":
            ideas.hide_comment(item, request.POST.get("reason", ""), staff=request.user)
            messages.success(request, _("Comment hidden."))
        elif action == "keep":
            ideas.keep_comment(item, staff=request.user)
            messages.success(request, _("Comment kept; the reports are closed."))
        else:
            raise Http404
    except DomainError as err:
        messages.error(request, str(err))
    return redirect("participation:staff-reported")
