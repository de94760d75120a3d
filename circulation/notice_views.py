"""Staff screen of the notices sent to members: the log with filters, one notice's full text,
and "resend" for failed, stuck or unsent ones. Mounted at /staff/notices/ (namespace "notices").
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from circulation import notices
from circulation.models import NoticeKind, NoticeStatus
from core import audit
from core.errors import DomainError


def wire_up() -> None:
    """Called from CirculationConfig.ready(): the staff link and who may resend."""
    from accounts.roles import Role, add_role_permissions
    from core.navigation import Section, StaffLink, register

    register(
        StaffLink(
            key="circulation.notices",
            label=gettext_lazy("Notices to members"),
            url_name="notices:list",
            section=Section.DAILY,
            permission="circulation.view_notice",
            description=gettext_lazy("What was sent to whom, what failed; resend."),
            order=60,
        )
    )
    resend = {"circulation.view_notice", "circulation.change_notice"}
    add_role_permissions(Role.LIBRARIAN, resend)
    add_role_permissions(Role.HEAD, resend)


class NoticeFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Any kind")), *NoticeKind.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *NoticeStatus.choices],
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    member = forms.CharField(
        label=gettext_lazy("Member (number or name)"), required=False, max_length=150
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("Any channel"))] + [
            (name, str(channel.label)) for name, channel in notices.CHANNELS.items()
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“Until” must not be before “From”."))
        return data


@staff_required("circulation.view_notice")
def notice_list(request: HttpRequest) -> HttpResponse:
    form = NoticeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    filters = {name: value for name, value in filters.items() if value}
    if filters.get("member"):
        audit.record("notice.search", actor=request.user, details={"member": filters["member"]})
    page = Paginator(notices.search_notices(**filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "circulation/notices/log.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


@staff_required("circulation.view_notice")
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notices.get_notice(pk)
    if notice is None:
        raise Http404
    audit.record(
        "notice.view", actor=request.user, subject=notice.member, details={"notice": notice.pk}
    )
    return render(
        request,
        "circulation/notices/detail.html",
        {
            "notice": notice,
            "resendable": notice.status in notices.RESENDABLE,
            "resent_as": notices.resent_copy(notice),
        },
    )


@require_POST
@staff_required("circulation.change_notice")
def notice_resend(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notices.get_notice(pk)
    if notice is None:
        raise Http404
    try:
        copy = notices.resend(notice, staff=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("notices:detail", pk=notice.pk)
    messages.success(
        request, _("The notice is being sent again to %(to)s.") % {"to": copy.recipient}
    )
    return redirect("notices:detail", pk=copy.pk)
