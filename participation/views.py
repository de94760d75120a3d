from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import member_required, staff_required
from conversations.throttle import allow_request
from core.errors import DomainError
from participation import selectors, services
from participation.forms import DeclineForm, SuggestionForm
from participation.models import Suggestion
from participation.states import SuggestionState
from patrons.selectors import member_for_user

PERMISSION = "participation.handle_suggestions"


@member_required
def suggest(request: HttpRequest) -> HttpResponse:
    member = member_for_user(request.user)
    if member is None:
        return render(request, "participation/no_member.html")
    held = None
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not allow_request(request, "suggest"):
            form.add_error(None, _("Too many suggestions in the last hour. Please try later."))
        else:
            data = form.cleaned_data
            try:
                services.suggest(
                    member,
                    isbn=data["isbn"],
                    title=data["title"],
                    author=data["author"],
                    note=data["note"],
                )
            except services.AlreadyHeldError as err:
                held = err.record
            except DomainError as err:
                form.add_error("isbn" if err.code == "invalid_isbn" else None, str(err))
            else:
                messages.success(request, _("Thank you: your suggestion is with the library."))
                return redirect("participation:mine")
    return render(
        request,
        "participation/suggest.html",
        {"form": form, "held": held, "suggestions": selectors.suggestions_of(member)[:50]},
    )


@member_required
def mine(request: HttpRequest) -> HttpResponse:
    member = member_for_user(request.user)
    if member is None:
        return render(request, "participation/no_member.html")
    return render(
        request,
        "participation/my_suggestions.html",
        {"suggestions": selectors.suggestions_of(member)},
    )


@staff_required(PERMISSION)
def staff_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", SuggestionState.SUBMITTED)
    return render(
        request,
        "participation/staff_suggestions.html",
        {
            "suggestions": selectors.staff_suggestions(state=state)[:200],
            "state": state,
            "states": SuggestionState.choices,
            "most": selectors.most_suggested(),
            "decline_form": DeclineForm(),
        },
    )


@require_POST
@staff_required(PERMISSION)
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion, pk=pk)
    try:
        if action == "accept":
            services.accept(suggestion, staff=request.user)
        elif action == "order":
            services.mark_ordered(suggestion, staff=request.user)
        elif action == "decline":
            services.decline(suggestion, request.POST.get("reason", ""), staff=request.user)
        else:
            raise Http404
        messages.success(request, _("Suggestion updated."))
    except DomainError as err:
        messages.error(request, str(err))
    return redirect(request.POST.get("back") or "participation:staff-suggestions")
