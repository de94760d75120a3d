"""Adding copies, editing one copy, uploading a cover."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.cataloguing.forms.records import today
from catalog.covers import ACCEPTED_CONTENT_TYPES
from catalog.models import (
    Collection,
    Item,
    ItemSource,
    ItemStatus,
)
from catalog.records import ParsedItem
from core.models import Branch

MAX_COPIES = 200


class RupiahField(forms.IntegerField):
    """Whole Rupiah; accepts 'Rp 45.000', '45.000' and '45000'."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"(?i)^\s*rp\.?\s*", "", value).replace(".", "").replace(" ", "")
            value = re.sub(r",0+$", "", value)
        return super().to_python(value)


def _branch_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=gettext_lazy("Branch"),
        queryset=Branch.objects.filter(is_active=True),
        empty_label=None,
    )


class AddItemsForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("Number of copies"),
        min_value=1,
        max_value=MAX_COPIES,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    branch = forms.ModelChoiceField(queryset=Branch.objects.none())
    first_barcode = forms.CharField(
        label=gettext_lazy("First barcode"),
        max_length=40,
        required=False,
        help_text=gettext_lazy(
            "For pre-printed barcodes: P0099 gives P0099, P0100, P0101 … Left empty, the "
            "library's own numbers are used."
        ),
    )
    shelf_location = forms.CharField(
        label=gettext_lazy("Shelf location"), max_length=100, required=False
    )
    collection = forms.ChoiceField(
        label=gettext_lazy("Collection"), choices=Collection.choices, initial=Collection.GENERAL
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[
            (ItemStatus.AVAILABLE, ItemStatus.AVAILABLE.label),
            (ItemStatus.IN_PROCESSING, ItemStatus.IN_PROCESSING.label),
        ],
        initial=ItemStatus.AVAILABLE,
    )
    price = RupiahField(
        label=gettext_lazy("Price (Rp)"),
        min_value=0,
        required=False,
        help_text=gettext_lazy("Per copy, in whole Rupiah: 45000 or 45.000."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), choices=ItemSource.choices, initial=ItemSource.PURCHASE
    )
    donor = forms.CharField(
        label=gettext_lazy("Donor"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For donations (hibah): who gave the books."),
    )
    acquired_on = forms.DateField(
        label=gettext_lazy("Acquired on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("acquired_on", today())
        super().__init__(*args, **kwargs)
        self.fields["branch"] = _branch_field()

    def clean_first_barcode(self) -> str:
        value = self.cleaned_data.get("first_barcode", "").strip()
        if value and not value[-1].isdigit():
            raise ValidationError(
                _("It must end in digits to count from, e.g. P0099."), code="no_digits"
            )
        return value

    def clean_acquired_on(self):
        day = self.cleaned_data.get("acquired_on")
        if day and day > today():
            raise ValidationError(_("The day of acquisition cannot be in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("donor") and cleaned.get("source") != ItemSource.DONATION:
            self.add_error("donor", _("A donor goes with the source “Donation”."))
        return cleaned

    def template(self) -> ParsedItem:
        data = self.cleaned_data
        return ParsedItem(
            shelf_location=data["shelf_location"],
            collection=data["collection"],
            status=data["status"],
            price=data["price"],
            source=data["source"],
            donor=data["donor"],
            acquired_on=data["acquired_on"],
            notes=data["notes"],
        )


ITEM_FORM_FIELDS = (
    "barcode",
    "rfid_tag",
    "branch",
    "shelf_location",
    "collection",
    "call_number",
    "status",
    "price",
    "source",
    "donor",
    "acquired_on",
    "notes",
)


# Statuses that circulation moves (a loan, a hold, a transfer between branches): the copy form
# neither sets them nor takes a copy out of them.
CIRCULATION_STATUSES = frozenset(
    {ItemStatus.ON_LOAN, ItemStatus.ON_HOLD_SHELF, ItemStatus.IN_TRANSIT}
)


class ItemForm(forms.Form):
    """One copy's fields, built from the model; uniqueness is the service's to check."""

    def __init__(self, *args, item: Item, **kwargs) -> None:
        kwargs.setdefault("initial", {name: getattr(item, name) for name in ITEM_FORM_FIELDS})
        super().__init__(*args, **kwargs)
        for name in ITEM_FORM_FIELDS:
            field = Item._meta.get_field(name).formfield()
            self.fields[name] = field
        self.fields["branch"] = _branch_field()
        if item.branch_id and not item.branch.is_active:
            self.fields["branch"].queryset = Branch.objects.filter(is_active=True) | (
                Branch.objects.filter(pk=item.branch_id)
            )
        self.fields["price"] = RupiahField(
            label=gettext_lazy("Price (Rp)"),
            min_value=0,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        )
        self.fields["acquired_on"].widget = forms.DateInput(
            attrs={"type": "date"}, format="%Y-%m-%d"
        )
        self.fields["notes"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["barcode"].widget.attrs["autocomplete"] = "off"
        self.fields["rfid_tag"].widget.attrs["autocomplete"] = "off"
        status = self.fields["status"]
        if item.status in CIRCULATION_STATUSES:
            status.disabled = True
            status.help_text = _("Set by circulation: check the copy in at the desk to change it.")
        else:
            status.choices = [c for c in ItemStatus.choices if c[0] not in CIRCULATION_STATUSES]

    def clean_barcode(self) -> str:
        barcode = self.cleaned_data["barcode"].strip()
        if not barcode:
            raise ValidationError(_("Give the barcode."), code="required")
        return barcode

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("donor") and cleaned.get("source") != ItemSource.DONATION:
            self.add_error("donor", _("A donor goes with the source “Donation”."))
        return cleaned

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("rfid_tag", "shelf_location", "call_number", "donor"):
            data[name] = (data.get(name) or "").strip()
        return data


class CoverForm(forms.Form):
    cover = forms.FileField(
        label=gettext_lazy("Cover image"),
        help_text=gettext_lazy("JPEG, PNG or WebP, at most 8 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_CONTENT_TYPES}),
    )
