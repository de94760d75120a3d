from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Branch
from visits.models import Purpose


class MemberCardForm(forms.Form):
    card = forms.CharField(
        label=_("Member card number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autofocus": True,
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )


class GuestForm(forms.Form):
    guest_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    institution = forms.CharField(
        label=_("School, campus or institution (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    purpose = forms.ChoiceField(
        label=_("Why are you visiting today?"),
        required=False,
        choices=Purpose.choices,
        widget=forms.RadioSelect,
    )


class StatisticsForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        required=False,
        queryset=Branch.objects.all(),
        empty_label=_("Every branch"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    MAX_DAYS = 400

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen days; by default the last seven, today included."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - dt.timedelta(days=6)
        return date_from, date_to

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("“Until” must not be before “From”."))
            elif (end - start).days > self.MAX_DAYS:
                self.add_error(
                    "date_to",
                    _("Choose at most %(days)s days.") % {"days": self.MAX_DAYS},
                )
        return data


class InLibraryUseForm(forms.Form):
    code = forms.CharField(
        label=_("Item barcode"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
