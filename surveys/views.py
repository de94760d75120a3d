"""Pages of surveys. Anyone (on a phone first): answer a survey by its public link, keep a draft
on the device and come back to it. Staff (programme coordinator, head): build surveys, preview
them in a phone frame, open and close them, see results, the IKM per period, export CSV, and
print a poster with the QR code."""

from __future__ import annotations

import csv
import datetime as dt
import json
import time

from csp.constants import SELF
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from core import audit
from core.errors import DomainError
from core.http import client_ip
from core.selectors import get_library
from surveys import selectors, services, throttle
from surveys.errors import InvalidAnswersError
from surveys.exports import safe_cell
from surveys.forms import NewIkmForm, NewSurveyForm, QuestionForm, SectionForm, SurveySettingsForm
from surveys.models import Question, Survey
from surveys.states import SCALES, SurveyKind, SurveyState

DRAFT_SALT = "surveys.draft"
STARTED_SALT = "surveys.started"
DRAFT_DAYS = 30


def _min_fill_seconds() -> float:
    from django.conf import settings

    return float(getattr(settings, "PUSTAKA_SURVEY_MIN_FILL_SECONDS", 3))


def _draft_cookie(survey: Survey) -> str:
    return f"survey-draft-{survey.code}"


def _read_draft(request: HttpRequest, survey: Survey) -> dict[str, list[str]]:
    raw = request.COOKIES.get(_draft_cookie(survey))
    if not raw:
        return {}
    try:
        data = signing.loads(raw, salt=DRAFT_SALT, max_age=DRAFT_DAYS * 86400)
    except signing.BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def _posted_answers(request: HttpRequest, survey: Survey) -> dict[str, list[str]]:
    names = {services.field_name(q) for q in selectors.questions_of(survey)}
    return {
        name: [v[:2000] for v in request.POST.getlist(name) if v.strip()]
        for name in names
        if any(v.strip() for v in request.POST.getlist(name))
    }


def _items(survey: Survey, values: dict[str, list[str]], errors: dict[int, str]) -> list[dict]:
    """The sections and questions as the answer page draws them."""
    sections = []
    for section in survey.sections.all():
        questions = []
        for question in section.questions.all():
            name = services.field_name(question)
            scale = []
            if question.kind in SCALES:
                low, high = SCALES[question.kind]
                labels = question.choice_labels()
                for value in range(low, high + 1):
                    label = labels[value - low] if len(labels) == high - low + 1 else ""
                    scale.append({"value": str(value), "label": label})
            options = [
                {"value": str(i), "label": label}
                for i, label in enumerate(question.choice_labels(), start=1)
            ]
            questions.append(
                {
                    "q": question,
                    "name": name,
                    "values": values.get(name, []),
                    "value": (values.get(name) or [""])[0],
                    "error": errors.get(question.pk, ""),
                    "scale": scale,
                    "options": options,
                    "show_if": f"q{question.show_if_id}" if question.show_if_id else "",
                }
            )
        sections.append(
            {
                "section": section,
                "questions": questions,
                "show_if": f"q{section.show_if_id}" if section.show_if_id else "",
            }
        )
    return sections


def answer(request: HttpRequest, code: str) -> HttpResponse:
    survey = selectors.get_survey_by_code(code)
    if survey is None:
        raise Http404
    return _answer_page(request, survey)


def invited(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The same page through a personal link from an invitation e-mail: no sign-in, once."""
    survey = selectors.get_survey_by_code(code)
    if survey is None:
        raise Http404
    return _answer_page(request, survey, token=token)


@csrf_exempt
@xframe_options_exempt
def embed(request: HttpRequest, code: str) -> HttpResponse:
    """The answer page without the site's chrome, for a frame on the library's own website
    (the sites in PUSTAKA_SURVEY_EMBED_ORIGINS). Inside another site's frame the browser sends
    none of Pustaka's cookies, so it always answers as a guest: the same bot check and rate limit
    as the public page, and no CSRF cookie to check (nothing is done with anyone's session)."""
    survey = selectors.get_survey_by_code(code)
    if survey is None:
        raise Http404
    return _framed(_answer_page(request, survey, embed=True))


@xframe_options_exempt
def embed_thanks(request: HttpRequest, code: str) -> HttpResponse:
    survey = get_object_or_404(Survey, code=code)
    return _framed(render(request, "surveys/survey_embed_thanks.html", {"survey": survey}))


def _framed(response: HttpResponse) -> HttpResponse:
    """Allow framing by Pustaka itself and the configured sites, for this response only."""
    origins = [o for o in getattr(settings, "PUSTAKA_SURVEY_EMBED_ORIGINS", []) if o]
    response._csp_replace = {"frame-ancestors": [SELF, *origins]}
    return response


@require_POST
def hide(request: HttpRequest, code: str) -> HttpResponse:
    """ "No, thanks" on a survey invitation: hidden on this device (a cookie, nothing stored)."""
    survey = get_object_or_404(Survey, code=code)
    if request.htmx:
        response = HttpResponse("")
    else:
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("core:home")
        response = redirect(target)
    _hide_invitation(request, response, survey)
    return response


def _hide_invitation(request: HttpRequest, response: HttpResponse, survey: Survey) -> None:
    from surveys.invitations import HIDE_DAYS, hide_cookie

    response.set_cookie(
        hide_cookie(survey),
        "1",
        max_age=HIDE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _answer_page(
    request: HttpRequest, survey: Survey, *, token: str | None = None, embed: bool = False
) -> HttpResponse:
    from surveys import sending

    # In a frame on another site, no session cookie arrives: always a guest.
    user = AnonymousUser() if embed else request.user
    preview = (
        token is None
        and not embed
        and request.GET.get("preview") == "1"
        and user.has_perm("surveys.view_survey")
    )
    problem = None
    if not preview:
        try:
            if token is None:
                services.check_can_answer(survey, user=user)
            else:
                sending.check_invitation(survey, token)
        except DomainError as err:
            problem = err
    values = {} if embed else _read_draft(request, survey)
    errors: dict[int, str] = {}
    status = 200
    if problem is not None and token is not None:
        status = 404 if problem.code == "invitation_invalid" else 409
    if request.method == "POST" and problem is None and not preview:
        values = _posted_answers(request, survey)
        if request.POST.get("action") == "draft" and not embed:
            response = redirect(request.path)
            response.set_cookie(
                _draft_cookie(survey),
                signing.dumps(values, salt=DRAFT_SALT, compress=True),
                max_age=DRAFT_DAYS * 86400,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            messages.success(
                request,
                _("Your answers are kept on this device. Come back to this page to finish."),
            )
            return response
        # A personal link proves who it is for: no bot check or rate limit needed.
        guest = token is None and not user.is_authenticated
        bot_problem = _bot_check(request) if guest else None
        if bot_problem:
            messages.error(request, bot_problem)
            status = 400
        elif guest and not throttle.allow_guest_response(client_ip(request)):
            messages.error(request, _("Too many answers from this connection. Please try later."))
            status = 429
        else:
            try:
                if token is None:
                    services.submit_response(survey, request.POST, user=user)
                else:
                    sending.submit_invited_response(survey, token, request.POST)
            except InvalidAnswersError as err:
                errors = err.errors
                status = 400
            except DomainError as err:
                problem = err
                status = 409
            else:
                if embed:
                    return redirect("surveys:embed-thanks", code=survey.code)
                response = redirect("surveys:thanks", code=survey.code)
                response.delete_cookie(_draft_cookie(survey))
                # Answered on this device: no more invitations to it here (only a cookie).
                _hide_invitation(request, response, survey)
                return response
    context = {
        "survey": survey,
        "sections": _items(survey, values, errors),
        "problem": problem,
        "preview": preview,
        "invited": token is not None,
        "started": signing.dumps(time.time(), salt=STARTED_SALT),
        "has_draft": not embed and bool(_read_draft(request, survey)),
        "error_count": len(errors),
        "embed": embed,
    }
    template = "surveys/survey_embed.html" if embed else "surveys/survey_answer.html"
    response = render(request, template, context, status=status)
    if token is not None:
        # The token in the address never leaves Pustaka in a Referer. Not "no-referrer": with it
        # browsers send "Origin: null" with the form, and the CSRF check refuses the answers.
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "private, no-store"
    if preview:
        # Staff see the preview inside a phone-sized frame on their own pages.
        response["X-Frame-Options"] = "SAMEORIGIN"
        response._csp_replace = {"frame-ancestors": [SELF]}
    return response


def _bot_check(request: HttpRequest) -> str | None:
    if request.POST.get("homepage"):
        return _("Your answers could not be accepted. Please try again.")
    try:
        started = float(
            signing.loads(request.POST.get("started", ""), salt=STARTED_SALT, max_age=86400)
        )
    except (signing.BadSignature, TypeError, ValueError):
        return _("The form has expired. Please send your answers again.")
    if time.time() - started < _min_fill_seconds():
        return _("The form was sent too quickly. Please check your answers and send them again.")
    return None


def thanks(request: HttpRequest, code: str) -> HttpResponse:
    survey = get_object_or_404(Survey, code=code)
    return render(request, "surveys/survey_thanks.html", {"survey": survey})


# ---------------------------------------------------------------------------------------------
# Staff


def _survey_or_404(pk: int) -> Survey:
    survey = selectors.get_survey(pk)
    if survey is None:
        raise Http404
    return survey


@staff_required("surveys.view_survey")
def staff_list(request: HttpRequest) -> HttpResponse:
    can_add = request.user.has_perm("surveys.add_survey")
    form = NewSurveyForm(prefix="new")
    ikm_form = NewIkmForm(prefix="ikm")
    if request.method == "POST":
        if not can_add:
            raise Http404
        if "ikm-period" in request.POST:
            ikm_form = NewIkmForm(request.POST, prefix="ikm")
            if ikm_form.is_valid():
                survey = services.create_ikm_survey(
                    by=request.user, period=ikm_form.cleaned_data["period"]
                )
                messages.success(request, _("The IKM survey is ready. Check it, then open it."))
                return redirect("surveys:staff-survey", pk=survey.pk)
        else:
            form = NewSurveyForm(request.POST, prefix="new")
            if form.is_valid():
                survey = services.create_survey(by=request.user, **form.cleaned_data)
                return redirect("surveys:staff-survey", pk=survey.pk)
    return render(
        request,
        "surveys/staff_list.html",
        {
            "surveys": selectors.staff_surveys(),
            "form": form,
            "ikm_form": ikm_form,
            "can_add": can_add,
        },
    )


@staff_required("surveys.view_survey")
def staff_survey(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    can_change = request.user.has_perm("surveys.change_survey")
    settings_form = SurveySettingsForm(instance=survey, prefix="s")
    section_form = SectionForm(prefix="sec", survey=survey)
    question_form = QuestionForm(prefix="q", survey=survey)
    if request.method == "POST":
        if not can_change:
            raise Http404
        which = request.POST.get("form")
        if which == "settings":
            settings_form = SurveySettingsForm(request.POST, instance=survey, prefix="s")
            if settings_form.is_valid():
                fields = {n: settings_form.cleaned_data[n] for n in settings_form.Meta.fields}
                services.update_survey(Survey.objects.get(pk=pk), by=request.user, **fields)
                messages.success(request, _("Saved."))
                return redirect("surveys:staff-survey", pk=pk)
        elif which == "section":
            section_form = SectionForm(request.POST, prefix="sec", survey=survey)
            if section_form.is_valid():
                services.add_section(survey, by=request.user, **section_form.cleaned_data)
                messages.success(request, _("Section added."))
                return redirect("surveys:staff-survey", pk=pk)
        elif which == "question":
            question_form = QuestionForm(request.POST, prefix="q", survey=survey)
            if question_form.is_valid():
                values = question_form.values()
                section = values.pop("section")
                services.add_question(section, by=request.user, **values)
                messages.success(request, _("Question added."))
                return redirect(reverse("surveys:staff-survey", args=[pk]) + "#questions")
    public_url = request.build_absolute_uri(reverse("surveys:answer", args=[survey.code]))
    embed_url = request.build_absolute_uri(reverse("surveys:embed", args=[survey.code]))
    return render(
        request,
        "surveys/staff_survey.html",
        {
            "survey": survey,
            "settings_form": settings_form,
            "section_form": section_form,
            "question_form": question_form,
            "can_change": can_change,
            "public_url": public_url,
            "embed_url": embed_url,
            "embed_origins": getattr(settings, "PUSTAKA_SURVEY_EMBED_ORIGINS", []),
            "response_count": survey.responses.count(),
            "is_ikm": survey.kind == SurveyKind.IKM,
            "states": SurveyState,
        },
    )


@staff_required("surveys.change_survey")
def staff_question(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    question = get_object_or_404(Question, pk=question_pk, section__survey=survey)
    form = QuestionForm(instance=question, prefix="q", survey=survey)
    if request.method == "POST":
        form = QuestionForm(request.POST, instance=question, prefix="q", survey=survey)
        if form.is_valid():
            services.update_question(
                Question.objects.get(pk=question.pk), by=request.user, **form.values()
            )
            messages.success(request, _("Question saved."))
            return redirect(reverse("surveys:staff-survey", args=[pk]) + "#questions")
    return render(
        request,
        "surveys/staff_question.html",
        {"survey": survey, "question": question, "form": form},
    )


@require_POST
@staff_required("surveys.change_survey")
def staff_question_action(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=question_pk, section__survey_id=pk)
    action = request.POST.get("action")
    try:
        if action == "remove":
            services.remove_question(question, by=request.user)
            messages.success(request, _("Question removed."))
        elif action in ("up", "down"):
            services.move_question(question, up=action == "up", by=request.user)
    except DomainError as err:
        messages.error(request, err.message)
    return redirect(reverse("surveys:staff-survey", args=[pk]) + "#questions")


@require_POST
@staff_required("surveys.change_survey")
def staff_state(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    try:
        if request.POST.get("to") == "open":
            services.open_survey(survey, by=request.user)
            messages.success(request, _("The survey is open for answers."))
        else:
            services.close_survey(survey, by=request.user)
            messages.success(request, _("The survey is closed."))
    except DomainError as err:
        messages.error(request, err.message)
    return redirect("surveys:staff-survey", pk=pk)


@staff_required("surveys.view_survey")
def staff_preview(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    url = reverse("surveys:answer", args=[survey.code]) + "?preview=1"
    return render(request, "surveys/staff_preview.html", {"survey": survey, "url": url})


def _period(request: HttpRequest) -> tuple[dt.date | None, dt.date | None]:
    def parse(name):
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    since, until = parse("since"), parse("until")
    if since and until and since > until:
        since, until = until, since
    return since, until


def _periods() -> list[dict]:
    """Quick choices: the two halves of this year and of last year, and the whole year."""
    year = timezone.localdate(timezone=get_library().zone).year
    out = []
    for y in (year, year - 1):
        out += [
            {
                "label": _("%(year)d, semester I") % {"year": y},
                "since": dt.date(y, 1, 1),
                "until": dt.date(y, 6, 30),
            },
            {
                "label": _("%(year)d, semester II") % {"year": y},
                "since": dt.date(y, 7, 1),
                "until": dt.date(y, 12, 31),
            },
            {
                "label": _("%(year)d, the whole year") % {"year": y},
                "since": dt.date(y, 1, 1),
                "until": dt.date(y, 12, 31),
            },
        ]
    return out


def _survey_periods(survey: Survey) -> list[dict]:
    """The quick choices of a periodic survey: its own last periods (newest first), then the
    usual semesters and years."""
    if not survey.repeats or survey.repeats == "semester":
        return _periods()
    from surveys.periods import recent_periods

    today = timezone.localdate(timezone=get_library().zone)
    own = recent_periods(survey.repeats, today=today, count=4)
    wide = survey.repeats == "quarter"  # quarters, then whole years; years, then semesters
    return [{"label": p.label, "since": p.since, "until": p.until} for p in reversed(own)] + [
        p for p in _periods() if ((p["until"] - p["since"]).days > 200) == wide
    ]


@staff_required("surveys.view_results")
def staff_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    since, until = _period(request)
    grouping = selectors.grouping_questions(survey)
    by = next((q for q in grouping if str(q.pk) == request.GET.get("by", "")), None)
    return render(
        request,
        "surveys/staff_results.html",
        {
            "survey": survey,
            "results": selectors.results(survey, since=since, until=until),
            "since": since,
            "until": until,
            "periods": _survey_periods(survey),
            "is_ikm": survey.kind == SurveyKind.IKM,
            "grouping": grouping,
            "by": by,
            "cross": by and selectors.cross_tab(survey, by, since=since, until=until),
            "small_group": selectors.SMALL_GROUP,
        },
    )


@staff_required("surveys.view_results")
def staff_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    since, until = _period(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.csv"'
    response.write("\ufeff")  # for spreadsheet programs
    writer = csv.writer(response)
    for row in selectors.export_rows(survey, since=since, until=until):
        writer.writerow([safe_cell(v) for v in row])
    audit.record(
        "survey.export",
        actor=request.user,
        subject=survey,
        subject_repr=survey.title,
        details={"since": str(since or ""), "until": str(until or "")},
    )
    return response


@staff_required("surveys.view_results")
def staff_results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from surveys.exports import results_workbook

    survey = _survey_or_404(pk)
    since, until = _period(request)
    content = results_workbook(survey, since=since, until=until)
    return _audited_download(request, survey, content, f"survey-{survey.pk}.xlsx", since, until)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOAD_TYPES = {"xlsx": XLSX, "pdf": "application/pdf"}


def _audited_download(
    request: HttpRequest, survey: Survey, content: bytes, filename: str, since, until
) -> HttpResponse:
    """A results file as an attachment; the export is audited (who, which survey, period)."""
    kind = filename.rsplit(".", 1)[-1]
    audit.record(
        "survey.export",
        actor=request.user,
        subject=survey,
        subject_repr=survey.title,
        details={"since": str(since or ""), "until": str(until or ""), "format": kind},
    )
    response = HttpResponse(content, content_type=DOWNLOAD_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required("surveys.view_results")
def staff_ikm(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_or_404(pk)
    if survey.kind != SurveyKind.IKM:
        raise Http404
    since, until = _period(request)
    report = selectors.ikm_report(survey, since=since, until=until)
    if request.GET.get("format") == "xlsx":
        from surveys.exports import ikm_workbook

        content = ikm_workbook(survey, since=since, until=until, library_name=get_library().name)
        return _audited_download(request, survey, content, f"ikm-{survey.pk}.xlsx", since, until)
    if request.GET.get("format") == "pdf":
        from surveys.pdf import ikm_pdf

        content = ikm_pdf(survey, since=since, until=until, library_name=get_library().name)
        return _audited_download(request, survey, content, f"ikm-{survey.pk}.pdf", since, until)
    if request.GET.get("format") == "json":
        result = report.result
        body = {
            "elements": {
                k: (str(v) if v is not None else None) for k, v in result.elements.items()
            },
            "index": str(result.index) if result.index is not None else None,
            "ikm": str(result.ikm) if result.ikm is not None else None,
            "category": result.category,
            "respondents": result.respondents,
        }
        return HttpResponse(json.dumps(body), content_type="application/json")
    semesters = [
        (p["label"], p["since"], p["until"])
        for p in _periods()
        if (p["until"] - p["since"]).days < 200
    ]
    return render(
        request,
        "surveys/staff_ikm.html",
        {
            "survey": survey,
            "report": report,
            "comparison": selectors.ikm_by_period(survey, sorted(semesters, key=lambda p: p[1])),
            "since": since,
            "until": until,
            "periods": _periods(),
            "can_import": request.user.has_perm("surveys.change_survey"),
        },
    )


@require_POST
@staff_required("surveys.change_survey")
def staff_ikm_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Answers collected on paper or in a spreadsheet, uploaded as CSV or XLSX."""
    from surveys import imports

    survey = _survey_or_404(pk)
    if survey.kind != SurveyKind.IKM:
        raise Http404
    upload = request.FILES.get("file")
    if upload is None or upload.size > 5 * 1024 * 1024:
        messages.error(request, _("Choose a CSV or XLSX file of at most 5 MB."))
        return redirect("surveys:staff-ikm", pk=pk)
    try:
        rows = imports.read_rows(upload.name, upload.read())
    except Exception:  # noqa: BLE001  (any unreadable file gets the same answer)
        messages.error(request, _("The file could not be read. Use CSV (UTF-8) or XLSX."))
        return redirect("surveys:staff-ikm", pk=pk)
    result = services.import_ikm_rows(survey, rows, by=request.user)
    messages.success(
        request,
        ngettext("%(count)d response imported.", "%(count)d responses imported.", result.imported)
        % {"count": result.imported},
    )
    for number, reason in result.rejected:
        messages.error(
            request,
            _("Row %(number)d not counted: %(reason)s") % {"number": number, "reason": reason},
        )
    return redirect("surveys:staff-ikm", pk=pk)


@staff_required("surveys.view_survey")
def staff_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 poster with the survey's QR code."""
    import segno
    from django.utils.safestring import mark_safe

    survey = get_object_or_404(Survey, pk=pk)
    url = request.build_absolute_uri(reverse("surveys:answer", args=[survey.code]))
    qr = segno.make(url, error="m")
    svg = mark_safe(qr.svg_inline(scale=10, dark="#000", light="#fff", omitsize=True))  # noqa: S308
    return render(
        request,
        "surveys/staff_poster.html",
        {"survey": survey, "qr": svg, "url": url, "library": get_library()},
    )


@staff_required("surveys.change_survey")
def staff_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the survey to chosen members: count first, then send (each member once)."""
    from surveys import sending
    from surveys.forms import InviteForm

    survey = _survey_or_404(pk)
    form = InviteForm(request.POST or None)
    count = None
    if request.method == "POST" and form.is_valid():
        criteria = form.criteria()
        if request.POST.get("action") == "send":
            try:
                invited = sending.invite_members(survey, criteria, by=request.user)
            except DomainError as err:
                messages.error(request, err.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d member invited; the e-mail is on its way.",
                        "%(count)d members invited; the e-mails are on their way.",
                        invited,
                    )
                    % {"count": invited},
                )
                return redirect("surveys:staff-send", pk=pk)
        count = sending.count_recipients(survey, criteria)
    history = sending.invitation_history(survey)
    return render(
        request,
        "surveys/staff_send.html",
        {
            "survey": survey,
            "form": form,
            "count": count,
            "history": history[:100],
            "invited_total": history.count(),
            "answered": sending.answered_count(survey),
            "is_open": survey.state == SurveyState.OPEN,
        },
    )


@staff_required("surveys.view_results")
def staff_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The results of a periodic survey side by side, period by period."""
    from surveys.periods import recent_periods

    survey = _survey_or_404(pk)
    try:
        count = min(max(int(request.GET.get("count", "4")), 2), 8)
    except ValueError:
        count = 4
    today = timezone.localdate(timezone=get_library().zone)
    periods = recent_periods(survey.repeats, today=today, count=count)
    return render(
        request,
        "surveys/staff_compare.html",
        {
            "survey": survey,
            "comparison": selectors.compare_periods(survey, periods),
            "count": count,
            "counts": [2, 3, 4, 6, 8],
        },
    )


@staff_required("surveys.change_survey")
def staff_section(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    """Rename a section and set its skip condition."""
    from surveys.forms import SectionEditForm
    from surveys.models import Section

    survey = _survey_or_404(pk)
    section = get_object_or_404(Section, pk=section_pk, survey=survey)
    form = SectionEditForm(request.POST or None, instance=section, prefix="sec", survey=survey)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.update_section(Section.objects.get(pk=section.pk), by=request.user, **fields)
        messages.success(request, _("Section saved."))
        return redirect(reverse("surveys:staff-survey", args=[pk]) + "#questions")
    return render(
        request,
        "surveys/staff_section.html",
        {"survey": survey, "section": section, "form": form},
    )


@require_POST
@staff_required("surveys.change_survey")
def staff_section_action(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    from surveys.models import Section

    section = get_object_or_404(Section, pk=section_pk, survey_id=pk)
    action = request.POST.get("action")
    try:
        if action == "remove":
            services.remove_section(section, by=request.user)
            messages.success(request, _("Section removed."))
        elif action in ("up", "down"):
            services.move_section(section, up=action == "up", by=request.user)
    except DomainError as err:
        messages.error(request, err.message)
    return redirect(reverse("surveys:staff-survey", args=[pk]) + "#questions")


def _evaluation_period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    since, until = _period(request)
    today = timezone.localdate(timezone=get_library().zone)
    if since is None and until is None:
        from surveys.periods import period_of

        current = period_of(today, "semester")
        return current.since, min(current.until, today)
    since = since or (until or today).replace(month=1, day=1)
    until = until or today
    if (until - since).days > 731:
        since = until - dt.timedelta(days=731)
    return since, until


@staff_required("surveys.view_results")
def staff_evaluation(request: HttpRequest) -> HttpResponse:
    """Programme evaluation for the head of library: events and services over a period."""
    from surveys import evaluation

    since, until = _evaluation_period(request)
    result = evaluation.evaluate(since, until)
    if request.GET.get("format") == "xlsx":
        content = evaluation.workbook(result, library_name=get_library().name)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="evaluation-{since.isoformat()}-{until.isoformat()}.xlsx"'
        )
        return response
    return render(
        request,
        "surveys/staff_evaluation.html",
        {
            "evaluation": result,
            "since": since,
            "until": until,
            "periods": _periods(),
            "can_see_events": request.user.has_perm("events.view_event"),
        },
    )
