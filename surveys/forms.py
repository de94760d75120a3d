from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import Question, Section, Survey
from surveys.services import choices_text, parse_choices
from surveys.states import CHOICE_KINDS, Place, QuestionKind


class NewSurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "title_en"]


class NewIkmForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=60,
        required=False,
        help_text=_("For example: 2026 Semester II."),
    )


class SurveySettingsForm(forms.ModelForm):
    show_on = forms.MultipleChoiceField(
        label=_("Invite visitors on these pages"),
        choices=Place.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "While the survey is open, a small block on these pages invites visitors to answer."
        ),
    )

    class Meta:
        model = Survey
        fields = [
            "title",
            "title_en",
            "intro",
            "intro_en",
            "is_anonymous",
            "requires_sign_in",
            "one_per_member",
            "opens_on",
            "closes_on",
            "repeats",
            "event",
            "after_closed_question",
            "show_on",
        ]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "intro_en": forms.Textarea(attrs={"rows": 3}),
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from surveys.selectors import events_for_feedback

        current = self.instance.event_id if self.instance.pk else None
        self.fields["event"].queryset = events_for_feedback(include=current)

    def clean(self):
        data = super().clean()
        if data.get("one_per_member") and not data.get("requires_sign_in"):
            self.add_error("one_per_member", _("One response per member needs members to sign in."))
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The survey must close after it opens."))
        return data


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "title_en", "show_if", "show_if_value"]
        labels = {
            "show_if": _("Show only if this question is answered"),
            "show_if_value": _("…with this answer (number of the option; empty: any answer)"),
        }

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show_if"].queryset = Question.objects.filter(section__survey=survey)
        self.fields["show_if"].required = False


class QuestionForm(forms.ModelForm):
    choices_lines = forms.CharField(
        label=_("Options, one a line (Indonesian | English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For single and multiple choice, and the labels of a Likert scale."),
    )

    class Meta:
        model = Question
        fields = [
            "section",
            "kind",
            "text",
            "text_en",
            "required",
            "code",
            "show_if",
            "show_if_value",
        ]
        labels = {
            "kind": _("Type"),
            "code": _("Short name for exports (optional)"),
            "show_if": _("Show only if this earlier question is answered"),
            "show_if_value": _("…with this answer (number of the option; empty: any answer)"),
        }

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = survey.sections.all()
        earlier = Question.objects.filter(section__survey=survey)
        if self.instance.pk:
            earlier = earlier.exclude(pk=self.instance.pk)
        self.fields["show_if"].queryset = earlier
        self.fields["show_if"].required = False
        if self.instance.pk:
            self.fields["choices_lines"].initial = choices_text(self.instance.choices)

    def clean(self):
        data = super().clean()
        choices = parse_choices(data.get("choices_lines") or "")
        if data.get("kind") in CHOICE_KINDS and len(choices) < 2:
            self.add_error("choices_lines", _("Give at least two options."))
        if data.get("kind") in (QuestionKind.LIKERT4, QuestionKind.LIKERT5) and choices:
            points = 4 if data["kind"] == QuestionKind.LIKERT4 else 5
            if len(choices) != points:
                self.add_error(
                    "choices_lines",
                    _("A %(points)d-point scale needs %(points)d labels, or none.")
                    % {"points": points},
                )
        data["choices"] = choices
        return data

    def values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["choices"] = self.cleaned_data["choices"]
        return values


class InviteForm(forms.Form):
    """Whom to invite: members of these categories who recently did one of these things."""

    categories = forms.MultipleChoiceField(
        label=_("Member categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )
    activities = forms.MultipleChoiceField(
        label=_("Recent activity (any of these)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("visited", _("visited the library")),
            ("borrowed", _("borrowed")),
            ("attended", _("attended an event")),
        ],
        help_text=_("None ticked: members whatever they did."),
    )
    days = forms.IntegerField(label=_("In the last … days"), min_value=1, max_value=730, initial=90)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from patrons.models import MemberCategory

        self.fields["categories"].choices = [
            (c.code, c.name) for c in MemberCategory.objects.order_by("name")
        ]

    def criteria(self):
        from surveys.sending import Criteria

        return Criteria(
            categories=tuple(self.cleaned_data["categories"]),
            activities=tuple(self.cleaned_data["activities"]),
            days=self.cleaned_data["days"],
        )


class SectionEditForm(forms.ModelForm):
    """Rename a section and set when it is shown."""

    class Meta:
        model = Section
        fields = ["title", "title_en", "show_if", "show_if_value"]
        labels = SectionForm.Meta.labels

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        # Only questions of earlier sections decide whether this one is shown.
        earlier = Question.objects.filter(section__survey=survey).exclude(
            section__position__gte=self.instance.position
        )
        self.fields["show_if"].queryset = earlier
        self.fields["show_if"].required = False
