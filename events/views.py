"""The public calendar and event pages, the registrant's own page (from the signed link), and
the programme coordinator's and the door's staff screens."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import member_required, staff_required
from core import audit
from core.errors import DomainError
from events import certificates, exports, ics, qr, schema, selectors, series, services
from events.forms import (
    DoorSearchForm,
    EventForm,
    FilterForm,
    PeriodForm,
    RegistrationForm,
    SeriesForm,
    WalkInForm,
)
from events.models import Certificate, Event, EventStatus, Registration, Series
from events.states import RegistrationState
from patrons.selectors import member_for_user

# ---------------------------------------------------------------------------------------------
# Public


def event_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    events = selectors.calendar_events(**form.filters(), start=form.day())[:100]
    return render(
        request,
        "events/event_list.html",
        {"form": form, "events": events, "view": "list", **_view_links(request)},
    )


def _query(request: HttpRequest, **changes) -> str:
    """The current filters with `changes` (None removes a key), as ?a=b (or "")."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return f"?{query.urlencode()}" if query else ""


def _view_links(request: HttpRequest) -> dict:
    return {
        "list_url": reverse("events:list") + _query(request),
        "month_url": reverse("events:month") + _query(request),
        "week_url": reverse("events:week") + _query(request),
        "feed_url": reverse("events:feed") + _query(request, date=None),
    }


def _calendar_page(request: HttpRequest, *, view: str) -> HttpResponse:
    """The month (a grid on wide screens, the days with events on phones) or the week (Monday
    to Sunday), of the day in the filter (default today), with the list's filters."""
    form = FilterForm(request.GET or None)
    anchor = form.day() or timezone.localdate()
    days = selectors.month_days(anchor) if view == "month" else selectors.week_days(anchor)
    events = list(selectors.calendar_events(**form.filters(), start=days[0], end=days[-1])[:500])
    by_day = selectors.events_by_day(events, days)
    if view == "month":
        first = anchor.replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        heading = first
    else:
        previous, following = days[0] - dt.timedelta(days=7), days[0] + dt.timedelta(days=7)
        heading = days[0]
    name = "events:month" if view == "month" else "events:week"
    context = {
        "form": form,
        "view": view,
        "heading": heading,
        "days": [(day, by_day[day]) for day in days],
        "offset": days[0].weekday(),
        "today": timezone.localdate(),
        "count": len(events),
        "previous_url": reverse(name) + _query(request, date=previous.isoformat()),
        "next_url": reverse(name) + _query(request, date=following.isoformat()),
        "this_url": reverse(name) + _query(request, date=None),
        **_view_links(request),
    }
    return render(request, "events/event_calendar.html", context)


def event_month(request: HttpRequest) -> HttpResponse:
    return _calendar_page(request, view="month")


def event_week(request: HttpRequest) -> HttpResponse:
    return _calendar_page(request, view="week")


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.public_event(pk)
    if event is None:
        raise Http404
    member = member_for_user(request.user)
    form = RegistrationForm(request.POST or None, event=event, member=member)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.register(
                    event,
                    member=member,
                    name=data.get("name", ""),
                    email=data.get("email", ""),
                    phone=data.get("phone", ""),
                    seats=data.get("seats") or 1,
                    group_name=data.get("group_name", ""),
                    answers=form.answers(),
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                registration = result.registration
                if not result.created:
                    messages.info(request, _("You had already registered; here it is."))
                return redirect(registration_url(registration))
        status = 400
    url = request.build_absolute_uri(reverse("events:detail", args=[event.pk]))
    image_url = request.build_absolute_uri(event.image.url) if event.image else ""
    context = {
        "event": event,
        "url": url,
        "image_url": image_url,
        "json_ld": schema.json_ld(event, url=url, image_url=image_url),
        "form": form,
        "member": member,
        "counts": selectors.event_counts(event),
        "open": _registration_open(event),
        "now": timezone.now(),
        "winners": _winners(event),
        "quiz": _quiz(event),
    }
    return render(request, "events/event_detail.html", context, status=status)


def _winners(event: Event) -> list:
    from events import competitions
    from events.models import Competition

    competition = Competition.objects.filter(event=event).first()
    return competitions.winners(competition) if competition else []


def _quiz(event: Event):
    from events import quizzes

    return quizzes.quiz_of(event) if event.kind == "quiz" else None


def _registration_open(event: Event) -> bool:
    return (
        event.status == EventStatus.PUBLISHED
        and event.registration_required
        and timezone.now() < event.closes_at
    )


def registration_url(registration: Registration) -> str:
    return reverse("events:registration", args=[selectors.registration_token(registration)])


def _registration_or_404(token: str) -> Registration:
    registration = selectors.registration_by_token(token)
    if registration is None:
        raise Http404
    return registration


def registration_detail(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    state = registration.state
    holds_seat = state in (RegistrationState.CONFIRMED, RegistrationState.ATTENDED)
    context = {
        "registration": registration,
        "event": registration.event,
        "token": token,
        "qr": qr.registration_svg(registration) if holds_seat else "",
        "show_link": holds_seat and registration.event.online_url,
        "can_cancel": state
        in (RegistrationState.CONFIRMED, RegistrationState.WAITLISTED, RegistrationState.OFFERED)
        and registration.event.starts_at > timezone.now(),
        "position": _position(registration),
        "certificate": selectors.certificate_of_registration(registration),
        **_competition_context(registration),
        "has_quiz": holds_seat_or_offered(registration) and _quiz(registration.event) is not None,
    }
    return render(request, "events/registration_detail.html", context)


def holds_seat_or_offered(registration: Registration) -> bool:
    return registration.state in (
        RegistrationState.CONFIRMED,
        RegistrationState.ATTENDED,
        RegistrationState.OFFERED,
    )


def _competition_context(registration: Registration) -> dict:
    """The competition part of a registration's page: the upload form before the deadline,
    the entry sent, and once published the entrant's own scores, feedback and place."""
    from events import competitions
    from events.forms import EntryForm
    from events.models import Competition

    competition = Competition.objects.filter(event_id=registration.event_id).first()
    if competition is None:
        return {}
    entry = registration.entries.filter(competition=competition).first()
    result = None
    if entry is not None and competition.results_published_at:
        result = next(
            (r for r in competitions.ranking(competition) if r.entry.pk == entry.pk), None
        )
    criteria = {str(c.pk): c for c in competition.criteria.all()}
    reviews = []
    if result is not None:
        for review in entry.reviews.all():
            reviews.append(
                {
                    "scores": [
                        (criteria[k].name, v, criteria[k].max_points)
                        for k, v in review.points.items()
                        if k in criteria
                    ],
                    "total": review.total,
                    "feedback": review.feedback,
                }
            )
    return {
        "competition": competition,
        "entry": entry,
        "entry_form": EntryForm(),
        "entries_open": timezone.now() < competition.entries_close_at
        and registration.state
        in (RegistrationState.CONFIRMED, RegistrationState.ATTENDED, RegistrationState.OFFERED),
        "result": result,
        "reviews": reviews,
    }


def _position(registration: Registration) -> int | None:
    if registration.state != RegistrationState.WAITLISTED:
        return None
    return registration.event.registrations.filter(
        state=RegistrationState.WAITLISTED,
        waitlist_number__lte=registration.waitlist_number,
    ).count()


@require_POST
def registration_cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    services.cancel_registration(registration)
    messages.success(request, _("Your registration is cancelled. Thank you for telling us."))
    return redirect("events:registration", token=token)


@require_POST
def registration_confirm(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    try:
        services.confirm_offer(registration)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your seat is confirmed. See you there!"))
    return redirect("events:registration", token=token)


def registration_ics(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    body = ics.calendar_for([registration.event], request=request, registration=registration)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="event.ics"'
    return response


def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.public_event(pk)
    if event is None:
        raise Http404
    response = HttpResponse(
        ics.calendar_for([event], request=request), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def feed(request: HttpRequest) -> HttpResponse:
    """The public calendar as iCalendar (filters as on the list)."""
    form = FilterForm(request.GET or None)
    events = selectors.calendar_events(**form.filters(), start=form.day())[:500]
    return HttpResponse(
        ics.calendar_for(list(events), request=request),
        content_type="text/calendar; charset=utf-8",
    )


@member_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    """A signed-in member's registrations, each with the link to its page (QR, cancel)."""
    member = member_for_user(request.user)
    rows = []
    if member is not None:
        rows = [(r, registration_url(r)) for r in selectors.registrations_of_member(member)[:200]]
    return render(request, "events/my_registrations.html", {"rows": rows, "member": member})


@require_POST
def series_register(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in member registers for every upcoming session of a series at once."""
    the_series = get_object_or_404(Series, pk=pk)
    member = member_for_user(request.user)
    if member is None:
        from accounts.decorators import redirect_to_sign_in

        return redirect_to_sign_in(request)
    try:
        result = series.register_series(the_series, member=member)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("events:list")
    messages.success(
        request,
        _("You are registered for %(count)s sessions of %(title)s.")
        % {"count": len(result.registrations), "title": the_series.title},
    )
    return redirect(registration_url(result.registrations[0]))


# ---------------------------------------------------------------------------------------------
# Staff: the programme coordinator


@staff_required("events.view_event")
def staff_list(request: HttpRequest) -> HttpResponse:
    include_past = request.GET.get("past") == "1"
    events = list(selectors.staff_events(include_past=include_past)[:300])
    return render(
        request, "events/staff_event_list.html", {"events": events, "include_past": include_past}
    )


@staff_required("events.change_event")
def staff_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk) if pk else None
    form = EventForm(request.POST or None, request.FILES or None, instance=event)
    scope = request.POST.get("scope", "one")
    if request.method == "POST" and form.is_valid():
        try:
            if event is not None and event.series_id and scope == "all":
                saved = series.update_series(
                    event, form.cleaned_data, changed=form.changed_data, by=request.user
                )
            else:
                saved = services.save_event(
                    form.save(commit=False),
                    by=request.user,
                    speakers=form.cleaned_data["speakers"],
                    partners=form.cleaned_data["partners"],
                    questions=form.question_lines(),
                    new_speakers=form.new_speaker_lines(),
                    new_partners=form.new_partner_lines(),
                )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The event is saved."))
            return redirect("events:staff-event", pk=saved.pk)
    return render(
        request,
        "events/staff_event_form.html",
        {"form": form, "event": event},
        status=400 if form.errors else 200,
    )


@staff_required("events.view_registration")
def staff_event(request: HttpRequest, pk: int) -> HttpResponse:
    """One event for the coordinator and the door: counts, check-in, walk-ins, the list."""
    event = get_object_or_404(Event.objects.select_related("branch", "series"), pk=pk)
    search = DoorSearchForm(request.GET or None)
    found, candidates = None, []
    if search.is_valid():
        found, candidates = selectors.find_at_door(event, search.cleaned_data["q"])
        if found is None and not candidates:
            search.add_error("q", _("No registration matches. Check the code or the name."))
    audit.record("event.registrations", actor=request.user, subject=event)
    registrations = event.registrations.select_related("member").order_by(
        "state", "waitlist_number", "created_at"
    )
    counts = selectors.event_counts(event)
    context = {
        "event": event,
        "counts": counts,
        "capacity_use": selectors.capacity_use(counts),
        "search": search,
        "found": found,
        "candidates": candidates,
        "walk_in": WalkInForm(),
        "registrations": registrations,
        "series_form": SeriesForm(),
    }
    return render(request, "events/staff_event.html", context)


@require_POST
@staff_required("events.change_event")
def staff_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    try:
        services.publish_event(event, by=request.user)
        messages.success(request, _("The event is published."))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("events:staff-event", pk=pk)


@require_POST
@staff_required("events.change_event")
def staff_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    services.cancel_event(event, by=request.user)
    messages.success(request, _("The event is cancelled; the people registered will be told."))
    return redirect("events:staff-event", pk=pk)


@require_POST
@staff_required("events.change_registration")
def staff_check_in(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    registration = get_object_or_404(Registration, pk=registration_pk)
    try:
        result = services.check_in(registration, by=request.user, event=event)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if result.already:
            messages.info(
                request, _("%(name)s was already checked in.") % {"name": result.registration.name}
            )
        else:
            seats = result.registration.seats
            messages.success(
                request,
                ngettext(
                    "%(name)s is checked in (%(count)s person).",
                    "%(name)s is checked in (%(count)s people).",
                    seats,
                )
                % {"name": result.registration.name, "count": seats},
            )
    return redirect("events:staff-event", pk=pk)


@require_POST
@staff_required("events.change_registration")
def staff_walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    form = WalkInForm(request.POST)
    if form.is_valid():
        services.record_walk_in(
            event, by=request.user, name=form.cleaned_data["name"], seats=form.cleaned_data["seats"]
        )
        messages.success(request, _("Walk-in recorded."))
    else:
        messages.error(request, _("Give the number of people who came in."))
    return redirect("events:staff-event", pk=pk)


@require_POST
@staff_required("events.change_event")
def staff_make_series(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    form = SeriesForm(request.POST)
    if form.is_valid():
        try:
            made = series.create_series(
                event,
                frequency=form.cleaned_data["frequency"],
                interval=form.cleaned_data["interval"],
                until=form.cleaned_data["until"],
                by=request.user,
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The series has %(count)s sessions (closed days skipped).")
                % {"count": made.sessions.count()},
            )
    else:
        messages.error(request, _("Choose how often it repeats and until when."))
    return redirect("events:staff-event", pk=pk)


# ---------------------------------------------------------------------------------------------
# Certificates


def _certificate_response(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    from core.selectors import get_library
    from patrons.cards import library_data

    verify_url = request.build_absolute_uri(reverse("events:certificate", args=[certificate.code]))
    pdf = certificates.certificate_pdf(
        certificates.certificate_data(certificate, verify_url=verify_url),
        library_data(get_library()),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sertifikat-{certificate.code}.pdf"'
    return response


def certificate_lookup(request: HttpRequest) -> HttpResponse:
    """A form to type a certificate's code (printed on it); sends to its verification page."""
    code = request.GET.get("code", "").strip()
    if code:
        return redirect(
            "events:certificate", code=selectors.normalise_certificate_code(code) or "-"
        )
    return render(request, "events/certificate_verify.html", {"certificate": None, "code": ""})


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is this a real certificate? Shows whose and for what, or says clearly that the
    code is unknown (404)."""
    certificate = selectors.certificate_by_code(code)
    context = {"certificate": certificate, "code": code, "checked": True}
    status = 200 if certificate is not None else 404
    return render(request, "events/certificate_verify.html", context, status=status)


def registration_certificate(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee downloads their certificate from their registration's page."""
    registration = _registration_or_404(token)
    certificate = selectors.certificate_of_registration(registration)
    if certificate is None:
        raise Http404
    return _certificate_response(request, certificate)


@require_POST
@staff_required("events.add_certificate")
def staff_issue_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    try:
        result = services.issue_certificates(event, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s certificate issued.", "%(count)s certificates issued.", result.count
            )
            % {"count": result.count},
        )
    return redirect("events:staff-certificates", pk=pk)


@staff_required("events.view_certificate")
def staff_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("branch"), pk=pk)
    rows = event.certificates.select_related("registration", "speaker").order_by("role", "name")
    attended = event.registrations.filter(state=RegistrationState.ATTENDED).count()
    return render(
        request,
        "events/staff_certificates.html",
        {"event": event, "certificates": rows, "attended": attended},
    )


@staff_required("events.view_certificate")
def staff_certificate_pdf(request: HttpRequest, pk: int, certificate_pk: int) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.select_related("event", "event__branch"), pk=certificate_pk, event_id=pk
    )
    audit.record("event.certificate_download", actor=request.user, subject=certificate)
    return _certificate_response(request, certificate)


# ---------------------------------------------------------------------------------------------
# The coordinator's dashboard and the attendee list


@staff_required("events.view_registration")
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    """A period's events with registrations, attendance, capacity use, waiting lists and
    no-shows, and the totals (default: this month)."""
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = today.replace(day=1), selectors.month_days(today)[-1]
    branch = None
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or max(end, start)
        branch = form.cleaned_data["branch"]
        if (end - start).days > 366:
            end = start + dt.timedelta(days=366)
    summary = selectors.period_summary(start, end, branch=branch)
    # Satisfaction from each event's feedback survey (surveys app).
    from surveys.selectors import event_satisfaction, overall_satisfaction

    rated = event_satisfaction([row.event.pk for row in summary.rows])
    return render(
        request,
        "events/staff_dashboard.html",
        {
            "form": form,
            "summary": summary,
            "start": start,
            "end": end,
            "rows": [(row, rated.get(row.event.pk)) for row in summary.rows],
            "satisfaction": overall_satisfaction(rated.values()),
        },
    )


@staff_required("events.view_registration")
def staff_attendees(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The attendee list as CSV or XLSX; contacts and answers only for the coordinator."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    event = get_object_or_404(Event, pk=pk)
    if fmt == "xlsx":
        body = exports.attendees_xlsx(event, user=request.user)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, kind = exports.attendees_csv(event, user=request.user), "text/csv; charset=utf-8"
    audit.record(
        "event.attendees_export",
        actor=request.user,
        subject=event,
        details={"format": fmt, "contacts": request.user.has_perm(exports.CONTACTS)},
    )
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="peserta-{event.pk}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Competitions


@staff_required("events.change_event")
def staff_competition(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator sets up the competition (deadline, rubric, judges), sees the ranking and
    publishes the results."""
    from events import competitions
    from events.forms import CompetitionForm
    from events.models import Competition

    event = get_object_or_404(Event, pk=pk)
    competition = Competition.objects.filter(event=event).first()
    initial = {"max_file_mb": 5, "winners": 3, "entries_close_at": event.starts_at}
    if competition is not None:
        initial = {
            "entries_close_at": timezone.localtime(competition.entries_close_at),
            "max_file_mb": competition.max_file_mb,
            "winners": competition.winners,
            "criteria": "\n".join(f"{c.name} | {c.max_points}" for c in competition.criteria.all()),
            "judges": "\n".join(u.username for u in competition.judges.all()),
        }
    form = CompetitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        competitions.set_up(
            event,
            by=request.user,
            entries_close_at=data["entries_close_at"],
            max_file_mb=data["max_file_mb"],
            winners=data["winners"],
            criteria=data["criteria"],
            judges=data["judges"],
        )
        messages.success(request, _("The competition is saved."))
        return redirect("events:staff-competition", pk=pk)
    context = {
        "event": event,
        "competition": competition,
        "form": form,
        "ranking": competitions.ranking(competition) if competition else [],
    }
    return render(
        request, "events/staff_competition.html", context, status=400 if form.errors else 200
    )


@require_POST
@staff_required("events.change_event")
def staff_publish_results(request: HttpRequest, pk: int) -> HttpResponse:
    from events import competitions
    from events.models import Competition

    competition = get_object_or_404(Competition, event_id=pk)
    competitions.publish_results(competition, by=request.user)
    messages.success(request, _("The results are published on the event's page."))
    return redirect("events:staff-competition", pk=pk)


def _judged(request: HttpRequest, pk: int):
    from events import competitions
    from events.models import Competition

    competition = get_object_or_404(Competition.objects.select_related("event"), event_id=pk)
    if not competitions.is_judge(competition, request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return competition


def judging(request: HttpRequest, pk: int) -> HttpResponse:
    """A judge's page: every entry with its file and the rubric to score it."""
    if not request.user.is_authenticated:
        from accounts.decorators import redirect_to_sign_in

        return redirect_to_sign_in(request)
    from events.models import Review

    competition = _judged(request, pk)
    criteria = list(competition.criteria.all())
    mine = {
        r.entry_id: r
        for r in Review.objects.filter(entry__competition=competition, judge=request.user)
    }
    rows = []
    for entry in competition.entries.order_by("submitted_at", "pk"):
        review = mine.get(entry.pk)
        scores = [(c, (review.points.get(str(c.pk)) if review else "")) for c in criteria]
        rows.append({"entry": entry, "review": review, "scores": scores})
    return render(
        request,
        "events/judging.html",
        {"competition": competition, "event": competition.event, "rows": rows},
    )


@require_POST
def judging_score(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        from accounts.decorators import redirect_to_sign_in

        return redirect_to_sign_in(request)
    from events import competitions

    competition = _judged(request, pk)
    entry = get_object_or_404(competition.entries, pk=entry_pk)
    points = {k[len("points-") :]: v for k, v in request.POST.items() if k.startswith("points-")}
    try:
        competitions.score_entry(
            entry, judge=request.user, points=points, feedback=request.POST.get("feedback", "")
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Scores saved for “%(title)s”.") % {"title": entry.title})
    return redirect("events:judging", pk=pk)


def judging_file(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """An entry's file, for its judges and the coordinator."""
    from django.http import FileResponse

    from events import competitions
    from events.models import Entry

    entry = get_object_or_404(
        Entry.objects.select_related("competition"), pk=entry_pk, competition__event_id=pk
    )
    if not (
        competitions.is_judge(entry.competition, request.user)
        or request.user.has_perm("events.change_event")
    ):
        raise Http404
    return FileResponse(entry.file.open("rb"), as_attachment=True, filename=entry.file_name)


@require_POST
def registration_entry(request: HttpRequest, token: str) -> HttpResponse:
    """The registrant sends (or replaces) their competition entry from their page."""
    from events import competitions
    from events.forms import EntryForm

    registration = _registration_or_404(token)
    form = EntryForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            competitions.submit_entry(
                registration, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your entry is received. Good luck!"))
    else:
        messages.error(request, _("Give a title and choose the file of your entry."))
    return redirect("events:registration", token=token)
