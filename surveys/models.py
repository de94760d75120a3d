"""Surveys: a survey has sections, a section has questions; a response holds one answer per
question shown. When a survey is anonymous a response carries no identity at all; that a member
has answered is kept apart, as a keyed hash in `RespondentMark` (no time, random key), so the
answers cannot be joined back to the member."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from surveys.states import InvitationSource, QuestionKind, Repeat, SurveyKind, SurveyState

CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    """Eight letters and digits for the survey's public link: nothing a command line or a
    printed poster could misread (no leading "-", no 0/O or 1/l/I)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Survey(models.Model):
    title = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro = models.TextField(_("introduction (Indonesian)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    kind = models.CharField(max_length=20, choices=SurveyKind.choices, default=SurveyKind.GENERAL)
    state = models.CharField(max_length=20, choices=SurveyState.choices, default=SurveyState.DRAFT)
    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    is_anonymous = models.BooleanField(_("anonymous"), default=True)
    requires_sign_in = models.BooleanField(_("members only (sign-in required)"), default=False)
    one_per_member = models.BooleanField(_("one response per member"), default=False)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    repeats = models.CharField(
        _("repeats"),
        max_length=10,
        choices=Repeat.choices,
        blank=True,
        default=Repeat.NONE,
        help_text=_("A periodic survey: its results are compared period by period."),
    )
    # Automatic sending: to everyone checked in at this event once it is over, and/or to each
    # asker whose question the library closed.
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("feedback survey of the event"),
        help_text=_("Everyone checked in receives this survey by e-mail after the event."),
    )
    after_closed_question = models.BooleanField(
        _("send after a closed question"),
        default=False,
        help_text=_("Whoever asked the library a question receives this survey once it is closed."),
    )
    # Where the open survey invites visitors with a small block ("home", "catalogue",
    # "events"; see states.Place).
    show_on = models.JSONField(_("invite visitors on"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey")
        permissions = [("view_results", "Can see survey results")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=list(SurveyState.values)), name="survey_valid_state"
            ),
            models.CheckConstraint(
                condition=~Q(one_per_member=True, requires_sign_in=False),
                name="survey_one_per_member_needs_sign_in",
            ),
        ]

    def __str__(self) -> str:
        return self.localized_title

    @property
    def localized_title(self) -> str:
        return _pick(self.title, self.title_en)

    @property
    def localized_intro(self) -> str:
        return _pick(self.intro, self.intro_en)


def _pick(indonesian: str, english: str) -> str:
    if english and (get_language() or "id").startswith("en"):
        return english
    return indonesian


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    # Skip logic: the section is shown only when this earlier question has an answer (equal to
    # show_if_value when that is set).
    show_if = models.ForeignKey(
        "Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_if_value = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.localized_title

    @property
    def localized_title(self) -> str:
        return _pick(self.title, self.title_en)


class Question(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    # A stable short name: "U1".."U9" in the IKM template, "umur" for age; used in exports.
    code = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question (Indonesian)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    # Choices of single/multiple choice questions, or the scale labels of a Likert question:
    # a list of {"id": "...", "en": "..."}; the stored answer is the 1-based position.
    choices = models.JSONField(default=list, blank=True)
    show_if = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_if_value = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["section__position", "section_id", "position", "pk"]

    def __str__(self) -> str:
        return self.code or self.text[:40]

    @property
    def localized_text(self) -> str:
        return _pick(self.text, self.text_en)

    def choice_labels(self) -> list[str]:
        return [_pick(c.get("id", ""), c.get("en", "")) for c in self.choices]


class Response(models.Model):
    """One submitted response. `user` stays empty when the survey is anonymous; only the day is
    kept, not the time."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class RespondentMark(models.Model):
    """That someone answered a survey allowing one response per member: a keyed hash of
    (survey, user), a random key and no time, so it cannot be matched to a response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "token"], name="one_mark_per_respondent")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Invitation(models.Model):
    """A personal link to a survey, e-mailed once to one person (a member, an event attendee or
    someone who asked a question). `recipient` names the person ("member:12", "email:…") and is
    unique per survey, so nobody is invited twice. The link's token is stored only as a
    SHA-256. Whether the invitation was used is not kept here: answering writes a
    `RespondentMark` for it (a keyed hash, no time), and the response itself carries no
    identity when the survey is anonymous."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    recipient = models.CharField(max_length=200)
    member = models.ForeignKey(
        "patrons.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField()
    language = models.CharField(max_length=10, default="id")
    source = models.CharField(
        max_length=10, choices=InvitationSource.choices, default=InvitationSource.CHOSEN
    )
    # What the invitation followed: the event's or the question's id.
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey invitation")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "recipient"], name="one_invitation_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.recipient}"


class SweepMark(models.Model):
    """When an automatic sending sweep last ran (the closed-questions sweep looks at what was
    closed since)."""

    name = models.CharField(max_length=50, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
