from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.selectors import get_library
from spaces.models import Purpose


def duration_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("%(count)s minute", "%(count)s minutes", rest) % {"count": rest}
    if not rest:
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}


class WhenForm(forms.Form):
    """A date, a start time and a length, turned into aware start and end in library time."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    minutes = forms.TypedChoiceField(label=_("How long"), coerce=int)

    def __init__(self, *args, rules=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        slot = (rules.slot_minutes if rules else 30) or 30
        shortest = rules.min_minutes if rules else 30
        longest = rules.max_minutes if rules else 120
        choices = []
        minutes = max(slot, shortest)
        while minutes <= longest:
            choices.append((minutes, duration_label(minutes)))
            minutes += slot
        self.fields["minutes"].choices = choices or [(slot, duration_label(slot))]
        self.fields["start"].widget.attrs["step"] = slot * 60

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        zone = get_library().zone
        start = dt.datetime.combine(data["date"], data["start"], tzinfo=zone)
        data["starts_at"] = start
        data["ends_at"] = start + dt.timedelta(minutes=data["minutes"])
        return data


class BookingForm(WhenForm):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    people = forms.IntegerField(label=_("Number of people"), min_value=1, initial=1)
    title = forms.CharField(label=_("Group or topic (optional)"), max_length=200, required=False)
    equipment = forms.ModelMultipleChoiceField(
        label=_("Equipment to go with the room"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, space=None, equipment=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if space is not None:
            self.fields["people"].max_value = space.capacity
            self.fields["people"].widget.attrs["max"] = space.capacity
        if equipment is None or not equipment.exists():
            del self.fields["equipment"]
        else:
            self.fields["equipment"].queryset = equipment


class ChangeForm(WhenForm):
    people = forms.IntegerField(label=_("Number of people"), min_value=1)


class SeriesForm(BookingForm):
    weeks = forms.IntegerField(label=_("Number of weeks"), min_value=2, max_value=26, initial=8)
    group_name = forms.CharField(label=_("Name of the group"), max_length=120)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("equipment", None)
        self.fields.pop("title", None)
        self.fields["purpose"].initial = Purpose.READING_GROUP


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class StaffBookingForm(BookingForm):
    member_number = forms.CharField(label=_("Member number"), max_length=20)

    field_order = ["member_number"]


class BlockForm(WhenForm):
    resource = forms.ChoiceField(label=_("Space or equipment"))
    end = forms.TimeField(
        label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    displace = forms.BooleanField(
        label=_("Cancel bookings in the way (the members are told)"), required=False
    )

    def __init__(self, *args, branch=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["minutes"]
        choices = []
        if branch is not None:
            from spaces.models import Equipment, Space

            choices += [
                (f"space:{s.pk}", s.name)
                for s in Space.objects.filter(branch=branch, is_active=True)
            ]
            choices += [
                (f"equipment:{e.pk}", e.name)
                for e in Equipment.objects.filter(branch=branch, is_active=True)
            ]
        self.fields["resource"].choices = choices
        self.order_fields(["resource", "date", "start", "end", "reason", "displace"])

    def clean(self):
        data = forms.Form.clean(self)
        if self.errors:
            return data
        zone = get_library().zone
        data["starts_at"] = dt.datetime.combine(data["date"], data["start"], tzinfo=zone)
        data["ends_at"] = dt.datetime.combine(data["date"], data["end"], tzinfo=zone)
        return data
