from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Branch, ClosedDay, Library, Weekday

MAX_LOGO_BYTES = 1024 * 1024


class LibraryForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Library
        fields = [
            "name",
            "short_name",
            "tagline",
            "address",
            "city",
            "province",
            "postal_code",
            "phone",
            "whatsapp",
            "email",
            "website",
            "logo",
            "time_zone",
            "observe_public_holidays",
            "observe_joint_holidays",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo must be at most 1 MB."))
        return logo


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = ["code", "name", "address", "phone", "email", "is_main", "is_active", "position"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class WeeklyHoursForm(forms.Form):
    """A week of opening hours: for each day up to two periods (morning and afternoon)."""

    PERIODS_PER_DAY = 2

    def __init__(self, *args, periods=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        existing: dict[int, list] = {}
        for period in periods:
            existing.setdefault(period.weekday, []).append(period)
        for weekday, label in Weekday.choices:
            day_periods = sorted(existing.get(weekday, []), key=lambda p: p.opens_at)
            for index in range(self.PERIODS_PER_DAY):
                current = day_periods[index] if index < len(day_periods) else None
                self.fields[f"d{weekday}_p{index}_opens"] = forms.TimeField(
                    label=_("%(day)s, period %(n)s, opens") % {"day": label, "n": index + 1},
                    required=False,
                    initial=current.opens_at if current else None,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )
                self.fields[f"d{weekday}_p{index}_closes"] = forms.TimeField(
                    label=_("%(day)s, period %(n)s, closes") % {"day": label, "n": index + 1},
                    required=False,
                    initial=current.closes_at if current else None,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )

    def days(self):
        """For the template: (weekday label, [(opens field, closes field), ...])."""
        for weekday, label in Weekday.choices:
            yield (
                label,
                [
                    (self[f"d{weekday}_p{i}_opens"], self[f"d{weekday}_p{i}_closes"])
                    for i in range(self.PERIODS_PER_DAY)
                ],
            )

    def clean(self):
        cleaned = super().clean()
        periods: list[tuple[int, dt.time, dt.time]] = []
        for weekday, _label in Weekday.choices:
            for index in range(self.PERIODS_PER_DAY):
                opens = cleaned.get(f"d{weekday}_p{index}_opens")
                closes = cleaned.get(f"d{weekday}_p{index}_closes")
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None:
                    self.add_error(
                        f"d{weekday}_p{index}_opens"
                        if opens is None
                        else f"d{weekday}_p{index}_closes",
                        _("Give both the opening and the closing time, or neither."),
                    )
                    continue
                if closes <= opens:
                    self.add_error(
                        f"d{weekday}_p{index}_closes",
                        _("The closing time must be later than the opening time."),
                    )
                    continue
                periods.append((weekday, opens, closes))
        cleaned["periods"] = periods
        return cleaned


class ClosedDayForm(forms.ModelForm):
    class Meta:
        model = ClosedDay
        fields = ["branch", "start_date", "end_date", "kind", "reason"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end_date"].required = False
        self.fields["branch"].empty_label = _("All branches")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        return cleaned


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("Who (staff user name)"), required=False, max_length=150)
    subject = forms.CharField(label=_("Whom or what"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from core.audit import ACTIONS

        self.fields["action"].choices = [("", _("Any action"))] + sorted(
            ((code, str(label)) for code, label in ACTIONS.items()), key=lambda c: c[1]
        )
