from __future__ import annotations

from django.core import signing
from django.db.models import Q, QuerySet

from conversations.models import FaqEntry, Message, Question, SavedReply
from conversations.states import QuestionState

S = QuestionState
TOKEN_SALT = "conversations.question"  # noqa: S105 - a signing salt, not a secret

QUEUE_FILTERS = ("active", "mine", "unclaimed", "waiting", "answered", "closed", "all")


def question_token(question: Question) -> str:
    """The signed token of the asker's private link to their thread."""
    return signing.Signer(salt=TOKEN_SALT).sign(question.code)


def question_by_token(token: str) -> Question | None:
    try:
        code = signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Question.objects.filter(code=code).first()


def queue(*, show: str = "active", user=None) -> QuerySet[Question]:
    qs = Question.objects.select_related("assignee")
    if show == "mine":
        qs = qs.filter(assignee=user).exclude(state=S.CLOSED)
    elif show == "unclaimed":
        qs = qs.filter(assignee__isnull=True).exclude(state=S.CLOSED)
    elif show == "waiting":
        qs = qs.filter(state=S.WAITING)
    elif show == "answered":
        qs = qs.filter(state=S.ANSWERED)
    elif show == "closed":
        qs = qs.filter(state=S.CLOSED)
    elif show == "active":
        qs = qs.filter(state__in=(S.NEW, S.OPEN))
    return qs.order_by("created_at")


def thread(question: Question, *, staff: bool) -> QuerySet[Message]:
    qs = question.messages.select_related("author")
    return qs if staff else qs.exclude(kind=Message.Kind.NOTE)


def saved_replies() -> QuerySet[SavedReply]:
    return SavedReply.objects.all()


def _matching(qs: QuerySet[FaqEntry], words: list[str]) -> QuerySet[FaqEntry]:
    for term in words:
        qs = qs.filter(search_terms__contains=f" {term} ")
    return qs


def public_faq(query: str = "") -> QuerySet[FaqEntry]:
    """Published entries; with a query, those holding its words (analysed as the catalogue
    does: "meminjam" finds "pinjam"), or, for a query of only small words, the literal text."""
    from conversations.faq_search import query_terms

    qs = FaqEntry.objects.filter(is_published=True)
    if query:
        words = query_terms(query)
        if words:
            return _matching(qs, words)
        qs = qs.filter(Q(question_text__icontains=query) | Q(answer_text__icontains=query))
    return qs


def faq_for_search(query, *, limit: int = 3) -> list[FaqEntry]:
    """The published FAQ entries answering a catalogue search (a string or the OPAC's parsed
    query), for the "answers from the librarians" box; none when the search has no words of
    substance. One query."""
    from conversations.faq_search import query_terms

    words = query_terms(query) if query else []
    if not words:
        return []
    qs = _matching(FaqEntry.objects.filter(is_published=True), words)
    return list(qs.only("pk", "question_text", "answer_text").order_by("-created_at")[:limit])


FEEDBACK_SALT = "conversations.feedback"  # noqa: S105 - a signing salt, not a secret


def feedback_token(feedback) -> str:
    return signing.Signer(salt=FEEDBACK_SALT).sign(feedback.code)


def feedback_by_token(token: str):
    from conversations.models import Feedback

    try:
        code = signing.Signer(salt=FEEDBACK_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Feedback.objects.filter(code=code).first()


def feedback_queue(*, show: str = "open", on=None):
    from conversations.feedback import overdue
    from conversations.models import Feedback
    from conversations.states import FEEDBACK_OPEN_STATES, FeedbackState

    qs = Feedback.objects.all()
    if show == "open":
        qs = qs.filter(state__in=FEEDBACK_OPEN_STATES)
    elif show == "overdue":
        qs = overdue(on)
    elif show in FeedbackState.values:
        qs = qs.filter(state=show)
    return qs.order_by("response_due_on", "created_at")


def you_said_we_did():
    from conversations.models import Feedback
    from conversations.states import FeedbackState

    return Feedback.objects.filter(is_published=True, state=FeedbackState.RESOLVED).order_by(
        "-resolved_at"
    )


def questions_of(user) -> QuerySet[Question]:
    """The questions a signed-in person asked, newest first, each with its opening message
    (`opening`, a list of one) for a summary: two queries."""
    from django.db.models import Prefetch

    opening = Message.objects.filter(kind=Message.Kind.QUESTION)
    return (
        Question.objects.filter(asker=user)
        .prefetch_related(Prefetch("messages", queryset=opening, to_attr="opening"))
        .order_by("-created_at", "-pk")
    )


def refused_mail(question: Question, *, limit: int = 20) -> list:
    """E-mails for this thread that were not added (another sender, an automatic answer, no
    text of its own, a closed question): staff see who tried to write back."""
    from conversations.models import InboundMail

    return list(
        question.inbound_mail.exclude(outcome=InboundMail.Outcome.ADDED).order_by("-received_at")[
            :limit
        ]
    )
