from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Branch
from events.models import (
    Audience,
    Event,
    EventKind,
    Frequency,
    Partner,
    QuestionKind,
    QuizAnswersShown,
    QuizLayout,
    Speaker,
)

MAX_IMAGE_BYTES = 2 * 1024 * 1024
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to people who registered."),
    )
    speakers = forms.ModelMultipleChoiceField(
        label=_("Speakers and facilitators"),
        queryset=Speaker.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Co-hosting partners"),
        queryset=Partner.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_speakers = forms.CharField(
        label=_("New speakers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: name | organisation | short biography."),
    )
    new_partners = forms.CharField(
        label=_("New partner organisations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One name per line."),
    )
    questions = forms.CharField(
        label=_("Questions for people who register"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One question per line; end a line with * when an answer is required."),
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "description",
            "starts_at",
            "ends_at",
            "branch",
            "space",
            "place",
            "online_url",
            "audience",
            "age_min",
            "age_max",
            "language",
            "capacity",
            "registration_required",
            "registration_closes_at",
            "max_group_size",
            "cost",
            "accessibility",
            "image",
            "image_alt",
            "tags",
            "parent",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "registration_closes_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 5}),
            "accessibility": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(is_active=True)
        self.fields["parent"].queryset = Event.objects.filter(kind=EventKind.FESTIVAL)
        from spaces.models import Space

        self.fields["space"].queryset = Space.objects.filter(is_active=True).select_related(
            "branch"
        )
        self.fields["space"].label_from_instance = lambda space: f"{space.name} ({space.branch})"
        for name in ("starts_at", "ends_at", "registration_closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if self.instance.pk:
            self.fields["speakers"].initial = list(self.instance.speakers.all())
            self.fields["partners"].initial = list(self.instance.partners.all())
            self.fields["questions"].initial = "\n".join(
                q.label + (" *" if q.required else "") for q in self.instance.questions.all()
            )

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and getattr(image, "size", 0) > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("The image must be at most 2 MB."))
        return image

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        space, branch = data.get("space"), data.get("branch")
        if space is not None and branch is not None and space.branch_id != branch.pk:
            self.add_error("space", _("Choose a room of the event's branch."))
        if space is not None and starts and ends and ends <= starts:
            self.add_error("ends_at", _("An event in a room must end after it starts."))
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and high < low:
            self.add_error("age_max", _("The oldest age must not be below the youngest."))
        return data

    def new_speaker_lines(self) -> list[tuple[str, str, str]]:
        speakers = []
        for line in (self.cleaned_data.get("new_speakers") or "").splitlines():
            parts = [part.strip() for part in line.split("|")] + ["", ""]
            if parts[0]:
                speakers.append((parts[0][:150], parts[1][:200], parts[2]))
        return speakers

    def new_partner_lines(self) -> list[str]:
        lines = (self.cleaned_data.get("new_partners") or "").splitlines()
        return [line.strip()[:200] for line in lines if line.strip()]

    def question_lines(self) -> list[tuple[str, bool]]:
        lines = []
        for line in (self.cleaned_data.get("questions") or "").splitlines():
            line = line.strip()
            required = line.endswith("*")
            label = line.rstrip("*").strip()[:200]
            if label:
                lines.append((label, required))
        return lines


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices]
    )
    audience = forms.ChoiceField(
        label=_("For"), required=False, choices=[("", _("Everyone")), *Audience.choices]
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        required=False,
        queryset=Branch.objects.filter(is_active=True),
        empty_label=_("All branches"),
        to_field_name="code",
    )
    date = forms.DateField(
        label=_("From the day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )

    def clean_date(self):
        from events.selectors import FIRST_DAY, LAST_DAY

        day = self.cleaned_data.get("date")
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(_("Choose a day between 1900 and 9998."))
        return day

    def filters(self) -> dict:
        """kind, audience, branch for the selectors (empty when the form is not valid)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "kind": data.get("kind", ""),
            "audience": data.get("audience", ""),
            "branch": data.get("branch"),
        }

    def day(self):
        return self.cleaned_data.get("date") if self.is_valid() else None


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        required=False,
        queryset=Branch.objects.filter(is_active=True),
        empty_label=_("All branches"),
        to_field_name="code",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period must end on or after its first day."))
        if start and end and (end - start).days > 366:
            raise forms.ValidationError(_("Choose a period of at most a year."))
        return data


class RegistrationForm(forms.Form):
    """Guests give a name and a phone or e-mail; members are known. Groups say how many come;
    the event's own questions follow."""

    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Telephone or WhatsApp"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("For the confirmation and a reminder. A telephone number or an e-mail."),
    )
    seats = forms.IntegerField(label=_("How many people"), min_value=1, initial=1)
    group_name = forms.CharField(
        label=_("School, class or group (optional)"), max_length=200, required=False
    )

    def __init__(self, *args, event: Event, member=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        if member is not None:
            del self.fields["name"], self.fields["phone"], self.fields["email"]
        else:
            self.fields["name"].required = True
        if event.max_group_size > 1:
            self.fields["seats"].max_value = event.max_group_size
            self.fields["seats"].widget.attrs["max"] = event.max_group_size
            self.fields["seats"].help_text = _("At most %(limit)s.") % {
                "limit": event.max_group_size
            }
        else:
            self.fields["seats"].widget = forms.HiddenInput()
            del self.fields["group_name"]
        for question in event.questions.all():
            self.fields[f"q_{question.pk}"] = forms.CharField(
                label=question.label, required=question.required, max_length=500
            )

    def clean(self):
        data = super().clean()
        if "name" in self.fields and not (data.get("phone") or data.get("email")):
            self.add_error("phone", _("Give a telephone number or an e-mail address."))
        return data

    def answers(self) -> dict[str, str]:
        return {
            name[2:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and value
        }


class DoorSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Scan the QR code or type a name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "id": "door-q"}),
    )


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)
    seats = forms.IntegerField(label=_("People"), min_value=1, max_value=500, initial=1)


class SeriesForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Repeats"), choices=Frequency.choices)
    interval = forms.IntegerField(
        label=_("Every"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("1 = every week (or month), 2 = every other one."),
    )
    until = forms.DateField(
        label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class CompetitionForm(forms.Form):
    entries_close_at = forms.DateTimeField(
        label=_("Entries close"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    max_file_mb = forms.IntegerField(label=_("Largest file (MB)"), min_value=1, max_value=50)
    winners = forms.IntegerField(label=_("Places announced"), min_value=1, max_value=10)
    criteria = forms.CharField(
        label=_("Rubric"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One criterion per line: name | most points (e.g. Originality | 30)."),
    )
    judges = forms.CharField(
        label=_("Judges"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The judges' user names, one per line."),
    )

    def clean_criteria(self):
        lines = []
        for line in self.cleaned_data["criteria"].splitlines():
            if not line.strip():
                continue
            name, _sep, points = line.partition("|")
            try:
                points = int(points.strip() or 10)
            except ValueError:
                points = 0
            if not name.strip() or not 1 <= points <= 100:
                raise forms.ValidationError(
                    _("Write each criterion as: name | most points (1 to 100).")
                )
            lines.append((" ".join(name.split())[:100], points))
        if not lines:
            raise forms.ValidationError(_("Give at least one criterion."))
        return lines

    def clean_judges(self):
        from django.contrib.auth import get_user_model

        names = [n.strip() for n in self.cleaned_data["judges"].split() if n.strip()]
        users = list(get_user_model().objects.filter(username__in=names, is_active=True))
        unknown = sorted(set(names) - {u.username for u in users})
        if unknown:
            raise forms.ValidationError(
                _("No active user is called: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return users


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Title of your entry"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx), JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.jpg,.jpeg,.png"}),
    )


class QuizForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M"],
        required=False,
        help_text=_("Empty: when the event starts."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M"],
        required=False,
        help_text=_("Empty: when the event ends."),
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("Empty: no time limit."),
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts per person"), min_value=1, max_value=20, initial=1
    )
    layout = forms.ChoiceField(label=_("Layout"), choices=QuizLayout.choices)
    answers_shown = forms.ChoiceField(
        label=_("Show the score and right answers"), choices=QuizAnswersShown.choices
    )
    members_only = forms.BooleanField(
        label=_("Members only (registered guests may not take it)"), required=False
    )


class QuizQuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100, initial=1)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One choice per line; start each right choice with * (e.g. *Jakarta)."),
    )
    accepted = forms.CharField(
        label=_("Accepted answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Short answer only: every accepted answer, one per line."),
    )

    def clean_choices(self):
        rows = []
        for line in self.cleaned_data["choices"].splitlines():
            line = line.strip()
            if not line:
                continue
            right = line.startswith("*")
            text = line.lstrip("*").strip()
            if text:
                rows.append((text, right))
        return rows

    def clean_accepted(self):
        return [a.strip() for a in self.cleaned_data["accepted"].splitlines() if a.strip()]


class QuizStartForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name on the leaderboard"),
        max_length=40,
        required=False,
        help_text=_("Empty: your first name and initials."),
    )
