from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.models import Branch
from core.selectors import get_library
from spaces.models import (
    BookingRule,
    Equipment,
    Feature,
    Purpose,
    Space,
    SpaceKind,
    WhoMayBook,
)
from spaces.photos import ACCEPTED_CONTENT_TYPES
from spaces.policies import DEFAULTS, FIELDS


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


# ---------------------------------------------------------------------------------------------
# Setting up spaces, equipment and rules (staff)


class SpaceForm(forms.ModelForm):
    features = forms.MultipleChoiceField(
        label=_("Features"),
        choices=Feature.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photo = forms.FileField(
        label=_("Add a photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 8 MB; it is made smaller for phones."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_CONTENT_TYPES}),
    )
    photo_caption = forms.CharField(
        label=_("What the photo shows"),
        max_length=200,
        required=False,
        help_text=_("Read out to blind visitors, e.g. “Eight chairs around a table, a screen”."),
    )

    class Meta:
        model = Space
        fields = [
            "branch",
            "kind",
            "name",
            "capacity",
            "features",
            "location",
            "description",
            "is_bookable",
            "is_active",
            "position",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "is_bookable": _("Untick to stop new bookings; bookings already made stay."),
            "is_active": _("Untick to take the space out of use (only with nothing booked ahead)."),
            "position": _("Spaces are listed in this order within a branch."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(is_active=True).order_by(
            "position", "name"
        )
        self.fields["capacity"].validators.append(MinValueValidator(1))
        self.fields["capacity"].widget.attrs["min"] = 1
        if self.instance.pk is None:
            del self.fields["is_active"]

    def clean_photo(self):
        from django.core.files.uploadedfile import UploadedFile

        from spaces.errors import InvalidPhotoError
        from spaces.photos import prepare_photo

        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            try:
                return prepare_photo(photo)
            except InvalidPhotoError as error:
                raise forms.ValidationError(str(error), code=error.code) from None
        return None

    def clean(self):
        data = super().clean()
        if data.get("photo") and not (data.get("photo_caption") or "").strip():
            self.add_error("photo_caption", _("Say what the photo shows."))
        return data

    def model_changes(self) -> dict:
        names = [name for name in self.changed_data if name in self._meta.fields]
        return {name: self.cleaned_data[name] for name in names}

    def model_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


class EquipmentForm(forms.ModelForm):
    class Meta:
        model = Equipment
        fields = ["branch", "kind", "name", "description", "bookable_alone", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "is_active": _("Untick to take it out of use (only with nothing booked ahead)."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(is_active=True).order_by(
            "position", "name"
        )
        if self.instance.pk is None:
            del self.fields["is_active"]

    def model_changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


# Bounds a person could mean; what the values must be together is checked by the service.
RULE_BOUNDS = {
    "slot_minutes": (5, 240),
    "min_minutes": (5, 24 * 60),
    "max_minutes": (5, 24 * 60),
    "days_ahead": (0, 365),
    "max_active": (1, 100),
    "max_hours_per_week": (1, 7 * 24),
    "buffer_minutes": (0, 240),
    "cancel_hours_before": (0, 24 * 14),
    "check_in_minutes": (1, 240),
    "no_show_limit": (0, 100),
    "no_show_days": (1, 365),
}


class RuleForm(forms.ModelForm):
    needs_approval = forms.TypedChoiceField(
        label=_("Instant or approved"),
        choices=[
            ("", _("As a wider rule says")),
            ("no", _("Confirmed at once")),
            ("yes", _("Staff approve each booking")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )

    class Meta:
        model = BookingRule
        fields = ["name", "space", "space_kind", "member_category", *FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = Space.objects.select_related("branch").order_by(
            "branch__position", "position", "name"
        )
        self.fields["space"].label_from_instance = lambda space: f"{space.name} · {space.branch}"
        self.fields["space"].empty_label = _("Every space (or every space of a kind)")
        self.fields["space"].help_text = _("A rule for one space counts more than one for a kind.")
        self.fields["space_kind"].choices = [("", _("Any kind"))] + list(SpaceKind.choices)
        self.fields["member_category"].empty_label = _("Every member category")
        self.fields["who_may_book"].choices = [("", _("As a wider rule says"))] + list(
            WhoMayBook.choices
        )
        if self.instance.pk is not None and self.instance.needs_approval is not None:
            self.initial["needs_approval"] = "yes" if self.instance.needs_approval else "no"
        for name, (low, high) in RULE_BOUNDS.items():
            field = self.fields[name]
            field.min_value, field.max_value = low, high
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update(min=low, max=high)
            default = DEFAULTS[name]
            field.help_text = _("Empty: as a wider rule says (Pustaka's default is %(value)s).") % {
                "value": default
            }
        for name in ("who_may_book", "needs_approval"):
            self.fields[name].help_text = ""

    def rule_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}

    def rule_changes(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.changed_data}
