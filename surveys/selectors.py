"""Reads of surveys: the lists staff see, a survey with its questions, and results (counts,
distributions, averages, NPS, text answers, the IKM) over a period."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from surveys import ikm
from surveys.models import Answer, Question, Response, Section, Survey
from surveys.states import CHOICE_KINDS, SCALES, TEXT_KINDS, QuestionKind, SurveyKind


def staff_surveys() -> QuerySet[Survey]:
    return Survey.objects.annotate(response_count=Count("responses")).order_by("-created_at")


def _with_questions(queryset: QuerySet[Survey]) -> QuerySet[Survey]:
    return queryset.prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.order_by("position", "pk").prefetch_related(
                Prefetch("questions", queryset=Question.objects.order_by("position", "pk"))
            ),
        )
    )


def get_survey(pk: int) -> Survey | None:
    return _with_questions(Survey.objects.filter(pk=pk)).first()


def get_survey_by_code(code: str) -> Survey | None:
    return _with_questions(Survey.objects.filter(code=code)).first()


def questions_of(survey: Survey) -> list[Question]:
    return [q for s in survey.sections.all() for q in s.questions.all()]


def responses_in(survey: Survey, *, since: dt.date | None, until: dt.date | None):
    responses = Response.objects.filter(survey=survey)
    if since:
        responses = responses.filter(submitted_on__gte=since)
    if until:
        responses = responses.filter(submitted_on__lte=until)
    return responses


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Bar:
    label: str
    count: int
    percent: Decimal


@dataclass
class QuestionResult:
    question: Question
    answered: int
    bars: list[Bar] = field(default_factory=list)
    mean: Decimal | None = None
    nps: int | None = None
    texts: list[str] = field(default_factory=list)
    numbers: dict[str, Decimal] = field(default_factory=dict)
    words: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Results:
    survey: Survey
    respondents: int
    questions: list[QuestionResult]


def results(
    survey: Survey, *, since: dt.date | None = None, until: dt.date | None = None
) -> Results:
    responses = responses_in(survey, since=since, until=until)
    answers = Answer.objects.filter(response__in=responses).values(
        "question_id", "number", "text", "choices"
    )
    by_question: dict[int, list[dict]] = {}
    for row in answers:
        by_question.setdefault(row["question_id"], []).append(row)
    out = [_question_result(q, by_question.get(q.pk, [])) for q in questions_of(survey)]
    return Results(survey, responses.count(), out)


def _question_result(question: Question, rows: list[dict]) -> QuestionResult:
    result = QuestionResult(question, len(rows))
    kind = question.kind
    if kind in SCALES:
        low, high = SCALES[kind]
        counts = Counter(int(r["number"]) for r in rows if r["number"] is not None)
        labels = question.choice_labels()
        for value in range(low, high + 1):
            label = str(value)
            if labels and len(labels) == high - low + 1:
                label = f"{value} · {labels[value - low]}"
            result.bars.append(Bar(label, counts[value], _percent(counts[value], len(rows))))
        if rows:
            total = sum(value * n for value, n in counts.items())
            result.mean = (Decimal(total) / len(rows)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if kind == QuestionKind.NPS and rows:
            promoters = sum(n for value, n in counts.items() if value >= 9)
            detractors = sum(n for value, n in counts.items() if value <= 6)
            result.nps = round((promoters - detractors) * 100 / len(rows))
    elif kind in CHOICE_KINDS:
        counts = Counter()
        for r in rows:
            if kind == QuestionKind.MULTIPLE:
                counts.update(int(v) for v in r["choices"])
            else:
                counts[int(r["number"])] += 1
        for position, label in enumerate(question.choice_labels(), start=1):
            result.bars.append(Bar(label, counts[position], _percent(counts[position], len(rows))))
    elif kind in TEXT_KINDS or kind == QuestionKind.DATE:
        result.texts = sorted((r["text"] for r in rows if r["text"]), key=str.casefold)
        if kind in TEXT_KINDS:
            result.words = word_counts(result.texts)
    elif kind == QuestionKind.NUMBER:
        values = sorted(r["number"] for r in rows if r["number"] is not None)
        if values:
            result.numbers = {
                "min": values[0],
                "max": values[-1],
                "mean": (sum(values) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP),
            }
    return result


# Common words of Indonesian and English left out of word counts.
STOP_WORDS = frozenset(
    [
        "yang",
        "dan",
        "di",
        "ke",
        "dari",
        "untuk",
        "dengan",
        "ini",
        "itu",
        "ada",
        "tidak",
        "sudah",
        "lebih",
        "sangat",
        "agar",
        "juga",
        "pada",
        "akan",
        "bisa",
        "saya",
        "kami",
        "kita",
        "mohon",
        "perlu",
        "atau",
        "karena",
        "dalam",
        "the",
        "and",
        "for",
        "with",
        "this",
        "that",
        "are",
        "was",
        "not",
        "you",
        "our",
        "have",
        "more",
        "very",
        "please",
    ]
)


def word_counts(texts: list[str], *, top: int = 10) -> list[tuple[str, int]]:
    """The most frequent words (three letters or more, common words left out)."""
    import re

    counts = Counter(
        word
        for text in texts
        for word in re.findall(r"[^\W\d_]{3,}", text.casefold())
        if word not in STOP_WORDS
    )
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


# ---------------------------------------------------------------------------------------------
# IKM


@dataclass
class IkmReport:
    survey: Survey
    result: ikm.IkmResult
    # code, name, NRR, number answered, NRR x 1/9, lowest
    elements: list[tuple[str, str, Decimal | None, int, Decimal | None, bool]]
    profile: list[QuestionResult]
    groups: list[tuple[Question, list[GroupIkm]]] = field(default_factory=list)


def ikm_report(
    survey: Survey, *, since: dt.date | None = None, until: dt.date | None = None
) -> IkmReport:
    questions = questions_of(survey)
    element_questions = {q.pk: q.code for q in questions if q.code in ikm.ELEMENT_CODES}
    responses = responses_in(survey, since=since, until=until)
    rows = _element_rows(responses, element_questions)
    result = ikm.compute(rows.values())
    lowest = set(result.lowest)
    elements = [
        (
            code,
            str(ikm.ELEMENT_NAMES[code]),
            result.elements[code],
            result.answered[code],
            _weighted(result.elements[code]),
            code in lowest,
        )
        for code in ikm.ELEMENT_CODES
    ]
    profile_codes = {code for code, *_ in ikm.PROFILE}
    profile = results(survey, since=since, until=until).questions
    profile = [r for r in profile if r.question.code in profile_codes]
    groups = _ikm_by_group(questions, responses, rows, profile_codes)
    return IkmReport(survey, result, elements, profile, groups)


def _element_rows(responses, element_questions: dict[int, str]) -> dict[int, dict[str, int]]:
    rows: dict[int, dict[str, int]] = {}
    for response_id, question_id, number in Answer.objects.filter(
        response__in=responses, question_id__in=element_questions
    ).values_list("response_id", "question_id", "number"):
        if number is not None:
            rows.setdefault(response_id, {})[element_questions[question_id]] = int(number)
    return rows


@dataclass
class GroupIkm:
    label: str
    respondents: int
    ikm: Decimal | None
    category: str | None


def _ikm_by_group(
    questions, responses, rows, profile_codes
) -> list[tuple[Question, list[GroupIkm]]]:
    """Cross-tabulation: the IKM of each answer to the profile's choice questions (sex,
    education, occupation)."""
    grouped = [q for q in questions if q.code in profile_codes and q.kind == QuestionKind.SINGLE]
    answers: dict[int, dict[int, int]] = {}
    for question_id, response_id, number in Answer.objects.filter(
        response__in=responses, question__in=grouped
    ).values_list("question_id", "response_id", "number"):
        if number is not None:
            answers.setdefault(question_id, {})[response_id] = int(number)
    out = []
    for question in grouped:
        mine = answers.get(question.pk, {})
        groups = []
        for position, label in enumerate(question.choice_labels(), start=1):
            members = [rows[r] for r, value in mine.items() if value == position and r in rows]
            if not members:
                continue
            result = ikm.compute(members)
            groups.append(GroupIkm(label, result.respondents, result.ikm, result.category))
        out.append((question, groups))
    return out


@dataclass
class PeriodIkm:
    label: str
    since: dt.date
    until: dt.date
    result: ikm.IkmResult


def ikm_by_period(survey: Survey, periods: list[tuple[str, dt.date, dt.date]]) -> list[PeriodIkm]:
    """The IKM of each period, to compare them (periods without respondents are left out)."""
    out = []
    for label, since, until in periods:
        report = ikm_report(survey, since=since, until=until)
        if report.result.respondents:
            out.append(PeriodIkm(label, since, until, report.result))
    return out


def _weighted(nrr: Decimal | None) -> Decimal | None:
    if nrr is None:
        return None
    return (nrr / 9).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def is_ikm(survey: Survey) -> bool:
    return survey.kind == SurveyKind.IKM


# ---------------------------------------------------------------------------------------------
# Export


def export_rows(survey: Survey, *, since: dt.date | None = None, until: dt.date | None = None):
    """The header, then one row per response: the day, then each question's answer (choices by
    label)."""
    questions = questions_of(survey)
    yield ["response", "date", *[q.code or f"q{q.pk}" for q in questions]]
    responses = responses_in(survey, since=since, until=until).order_by("pk")
    answers: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(response__in=responses):
        answers.setdefault(answer.response_id, {})[answer.question_id] = answer
    for number, response in enumerate(responses, start=1):
        mine = answers.get(response.pk, {})
        yield [
            number,
            response.submitted_on.isoformat(),
            *[_cell(q, mine.get(q.pk)) for q in questions],
        ]


def _cell(question: Question, answer: Answer | None) -> str:
    if answer is None:
        return ""
    labels = question.choice_labels()
    if question.kind == QuestionKind.MULTIPLE:
        return "; ".join(labels[i - 1] for i in answer.choices if 0 < i <= len(labels))
    if question.kind == QuestionKind.SINGLE and answer.number is not None:
        index = int(answer.number)
        return labels[index - 1] if 0 < index <= len(labels) else ""
    if answer.number is not None:
        number = answer.number
        return str(int(number)) if number == int(number) else str(number)
    return answer.text


# ---------------------------------------------------------------------------------------------
# Events: which events a survey can follow, and their satisfaction


def events_for_feedback(*, include: int | None = None):
    """Published events from three months ago on, for the "feedback survey of the event"
    choice (and the one already chosen, whatever its date)."""
    from django.db.models import Q
    from django.utils import timezone

    from events.models import Event, EventStatus

    since = timezone.now() - dt.timedelta(days=92)
    wanted = Q(status=EventStatus.PUBLISHED, ends_at__gte=since)
    if include:
        wanted |= Q(pk=include)
    return Event.objects.filter(wanted).order_by("-starts_at")


SATISFACTION_KINDS = (QuestionKind.RATING, QuestionKind.LIKERT5, QuestionKind.LIKERT4)


@dataclass(frozen=True)
class Satisfaction:
    """The average of the feedback survey's first rating (or Likert) question, on its scale,
    and how many responded."""

    average: Decimal | None
    scale: int
    responses: int
    answered: int = 0


def event_satisfaction(event_ids) -> dict[int, Satisfaction]:
    """Per event, the satisfaction from its feedback survey(s): the mean answer to the first
    rating or Likert question of each, pooled, and the number of responses. Events without a
    feedback survey are left out. Three queries whatever the number of events."""
    surveys = list(
        Survey.objects.filter(event_id__in=list(event_ids)).annotate(n=Count("responses"))
    )
    if not surveys:
        return {}
    first: dict[int, tuple[int, str]] = {}
    for survey_id, question_id, kind in (
        Question.objects.filter(section__survey__in=surveys, kind__in=SATISFACTION_KINDS)
        .order_by("section__position", "section_id", "position", "pk")
        .values_list("section__survey_id", "pk", "kind")
    ):
        first.setdefault(survey_id, (question_id, kind))
    sums = {
        row["question_id"]: (row["total"], row["answered"])
        for row in Answer.objects.filter(
            question_id__in=[q for q, _k in first.values()], number__isnull=False
        )
        .values("question_id")
        .annotate(total=Sum("number"), answered=Count("pk"))
    }
    totals: dict[int, dict] = {}
    for survey in surveys:
        mine = totals.setdefault(
            survey.event_id, {"total": Decimal(0), "answered": 0, "responses": 0, "scale": 5}
        )
        mine["responses"] += survey.n
        if survey.pk in first:
            question_id, kind = first[survey.pk]
            total, answered = sums.get(question_id, (Decimal(0), 0))
            mine["total"] += total or 0
            mine["answered"] += answered
            mine["scale"] = SCALES[kind][1]
    return {
        event_id: Satisfaction(
            (Decimal(t["total"]) / t["answered"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if t["answered"]
            else None,
            t["scale"],
            t["responses"],
            t["answered"],
        )
        for event_id, t in totals.items()
    }


def overall_satisfaction(satisfactions) -> Satisfaction | None:
    """Several events' satisfaction pooled (weighted by answers), on a scale of 5."""
    satisfactions = list(satisfactions)
    if not satisfactions:
        return None
    answered = sum(s.answered for s in satisfactions if s.average is not None)
    total = sum(
        s.average / s.scale * 5 * s.answered for s in satisfactions if s.average is not None
    )
    average = (
        (Decimal(total) / answered).quantize(Decimal("0.1"), ROUND_HALF_UP) if answered else None
    )
    return Satisfaction(average, 5, sum(s.responses for s in satisfactions), answered)


# ---------------------------------------------------------------------------------------------
# Comparing periods


@dataclass
class PeriodColumn:
    label: str
    since: dt.date
    until: dt.date
    respondents: int


@dataclass
class ComparisonRow:
    label: str
    values: list[str]


@dataclass
class QuestionComparison:
    question: Question
    rows: list[ComparisonRow]


@dataclass
class Comparison:
    periods: list[PeriodColumn]
    questions: list[QuestionComparison]


def compare_periods(survey: Survey, periods) -> Comparison:
    """Each question side by side over the periods: answers, the average (scales, numbers),
    the NPS, and the share of each option (choices, scale points). Text questions show their
    answer counts only."""
    per_period = [results(survey, since=p.since, until=p.until) for p in periods]
    columns = [
        PeriodColumn(p.label, p.since, p.until, r.respondents)
        for p, r in zip(periods, per_period, strict=True)
    ]
    out = []
    for index, question in enumerate(questions_of(survey)):
        cells = [r.questions[index] for r in per_period]
        rows = [ComparisonRow(_("Answers"), [str(c.answered) for c in cells])]
        if question.kind in SCALES:
            rows.append(ComparisonRow(_("Average"), [_show(c.mean) for c in cells]))
        if question.kind == QuestionKind.NPS:
            rows.append(ComparisonRow(_("NPS"), [_show(c.nps) for c in cells]))
        if question.kind == QuestionKind.NUMBER:
            rows.append(ComparisonRow(_("Average"), [_show(c.numbers.get("mean")) for c in cells]))
        if cells and cells[0].bars and question.kind != QuestionKind.NPS:
            for position, bar in enumerate(cells[0].bars):
                rows.append(
                    ComparisonRow(
                        bar.label,
                        [f"{c.bars[position].percent}%" if c.answered else "–" for c in cells],
                    )
                )
        out.append(QuestionComparison(question, rows))
    return Comparison(columns, out)


def _show(value) -> str:
    return "–" if value is None else str(value)


# ---------------------------------------------------------------------------------------------
# Cross-tabulation by respondent group

# Questions that can split respondents into groups ("compare by"), and those shown per group.
GROUPING_KINDS = frozenset(
    {QuestionKind.SINGLE, QuestionKind.LIKERT4, QuestionKind.LIKERT5, QuestionKind.RATING}
)
CLOSED_KINDS = CHOICE_KINDS | frozenset(SCALES)
# Groups with fewer respondents than this are shown without figures, so nobody is identified.
SMALL_GROUP = 3


@dataclass
class Group:
    label: str
    respondents: int
    hidden: bool = False  # small, or hidden so that a small group cannot be worked out


@dataclass
class CrossRow:
    label: str
    # One per group: "count (percent%)", or None when the group is hidden.
    cells: list[str | None]


@dataclass
class CrossQuestion:
    question: Question
    rows: list[CrossRow]


@dataclass
class CrossTab:
    by: Question
    groups: list[Group]
    questions: list[CrossQuestion]
    unanswered: int  # respondents who did not answer the grouping question


def grouping_questions(survey: Survey) -> list[Question]:
    """The questions staff can compare by: single choice, Likert and rating."""
    return [q for q in questions_of(survey) if q.kind in GROUPING_KINDS]


def _group_labels(question: Question) -> list[tuple[int, str]]:
    if question.kind in SCALES:
        low, high = SCALES[question.kind]
        labels = question.choice_labels()
        return [
            (
                value,
                f"{value} · {labels[value - low]}"
                if labels and len(labels) == high - low + 1
                else str(value),
            )
            for value in range(low, high + 1)
        ]
    return list(enumerate(question.choice_labels(), start=1))


def cross_tab(
    survey: Survey,
    by_question: Question,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> CrossTab:
    """Every other closed question's result per answer to `by_question` (counts and percentages
    per option, the average and NPS of scales). One query whatever the number of responses.
    Groups of fewer than SMALL_GROUP respondents are hidden; when only one group is hidden that
    way, the smallest other group is hidden too, so its figures cannot be worked out from the
    totals."""
    questions = [
        q for q in questions_of(survey) if q.kind in CLOSED_KINDS and q.pk != by_question.pk
    ]
    responses = responses_in(survey, since=since, until=until)
    rows: dict[int, dict[int, dict]] = {}  # response -> question -> answer row
    for row in Answer.objects.filter(
        response__in=responses, question_id__in=[by_question.pk, *[q.pk for q in questions]]
    ).values("response_id", "question_id", "number", "choices"):
        rows.setdefault(row["response_id"], {})[row["question_id"]] = row
    members: dict[int, list[dict[int, dict]]] = {}
    unanswered = 0
    for answers in rows.values():
        grouping = answers.get(by_question.pk)
        if grouping is None or grouping["number"] is None:
            unanswered += 1
            continue
        members.setdefault(int(grouping["number"]), []).append(answers)
    labels = _group_labels(by_question)
    groups = [Group(label, len(members.get(value, []))) for value, label in labels]
    small = [g for g in groups if g.respondents < SMALL_GROUP]
    for group in small:
        group.hidden = True
    if sum(1 for g in small if g.respondents) == 1 and not unanswered:
        shown = [g for g in groups if not g.hidden]
        if shown:
            min(shown, key=lambda g: g.respondents).hidden = True
    out = []
    for question in questions:
        per_group = [
            None
            if group.hidden
            else _question_result(
                question, [a[question.pk] for a in members.get(value, []) if question.pk in a]
            )
            for (value, _label), group in zip(labels, groups, strict=True)
        ]
        out.append(CrossQuestion(question, _cross_rows(question, per_group)))
    return CrossTab(by_question, groups, out, unanswered)


def _cross_rows(question: Question, per_group: list[QuestionResult | None]) -> list[CrossRow]:
    def each(value) -> list[str | None]:
        return [None if r is None else value(r) for r in per_group]

    rows = [CrossRow(_("Answers"), each(lambda r: str(r.answered)))]
    if question.kind in SCALES:
        rows.append(CrossRow(_("Average"), each(lambda r: _show(r.mean))))
    if question.kind == QuestionKind.NPS:
        rows.append(CrossRow(_("NPS"), each(lambda r: _show(r.nps))))
    template = next((r for r in per_group if r is not None), None)
    if template is None:
        template = _question_result(question, [])
    for position, bar in enumerate(template.bars):
        rows.append(
            CrossRow(
                bar.label,
                each(lambda r, p=position: f"{r.bars[p].count} ({r.bars[p].percent}%)"),
            )
        )
    return rows
