from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Collection
from core.models import Branch


class StartSessionForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.filter(is_active=True), empty_label=None
    )
    collection = forms.ChoiceField(
        label=_("Collection"),
        required=False,
        choices=[("", _("Every collection")), *Collection.choices],
    )
    shelf_from = forms.CharField(
        label=_("Shelf locations from"),
        required=False,
        max_length=100,
        help_text=_("Optional. Empty: from the first shelf."),
    )
    shelf_to = forms.CharField(
        label=_("Shelf locations to"),
        required=False,
        max_length=100,
        help_text=_("Optional and inclusive: 'C' also covers 'C-12'. Empty: to the last shelf."),
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        help_text=_("Optional, e.g. 'Stock opname 2026, children's room'."),
    )


class ScanForm(forms.Form):
    code = forms.CharField(
        label=_("Barcode or RFID tag"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "autocapitalize": "characters"}
        ),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Reader file"),
        help_text=_(
            "Plain text with one code per line, or CSV with a column named code, barcode, "
            "rfid or epc."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.csv,.tsv,.dat,text/plain"}),
    )
