"""Printing labels: which copies, on which sheet, from which position."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.labels import CUSTOM, FIELD_LABELS, PRESETS, LabelChoice, LabelKind, LabelSheet


class Selection:
    RECORD = "record"
    BARCODES = "barcodes"
    TODAY = "today"

    CHOICES = [
        (RECORD, gettext_lazy("The copies of one record")),
        (BARCODES, gettext_lazy("The barcodes I paste")),
        (TODAY, gettext_lazy("The copies added today")),
    ]


def _mm_field(name: str, *, minimum: float = 0) -> forms.DecimalField:
    return forms.DecimalField(
        label=FIELD_LABELS[name],
        min_value=minimum,
        max_value=297,
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


class LabelForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of label"), choices=LabelKind.choices, widget=forms.RadioSelect
    )
    selection = forms.ChoiceField(
        label=gettext_lazy("Print labels for"),
        choices=Selection.CHOICES,
        initial=Selection.BARCODES,
        widget=forms.RadioSelect,
    )
    record = forms.IntegerField(
        label=gettext_lazy("Record number"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("The “Print labels” link on a record's page fills this in."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    barcodes = forms.CharField(
        label=gettext_lazy("Barcodes"),
        required=False,
        help_text=gettext_lazy("One a line (scan them one after another), or separated by spaces."),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )
    skip_unknown = forms.BooleanField(
        label=gettext_lazy("Skip barcodes the catalogue does not know"), required=False
    )
    preset = forms.ChoiceField(
        label=gettext_lazy("Label sheet"),
        help_text=gettext_lazy("Choose “Other sheet” to use the sizes below."),
    )
    rows = forms.IntegerField(
        label=FIELD_LABELS["rows"],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"min_value": gettext_lazy("Give at least 1.")},
        min_value=1,
    )
    columns = forms.IntegerField(
        label=FIELD_LABELS["columns"],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"min_value": gettext_lazy("Give at least 1.")},
        min_value=1,
    )
    label_width = _mm_field("label_width", minimum=1)
    label_height = _mm_field("label_height", minimum=1)
    margin_top = _mm_field("margin_top")
    margin_left = _mm_field("margin_left")
    gap_x = _mm_field("gap_x")
    gap_y = _mm_field("gap_y")
    start = forms.IntegerField(
        label=FIELD_LABELS["start"],
        min_value=1,
        initial=1,
        help_text=gettext_lazy(
            "On a partly used sheet, the first free label: 1 is top left, counting along the rows."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"min_value": gettext_lazy("Give at least 1.")},
    )
    show_library = forms.BooleanField(
        label=gettext_lazy("Print the library's short name"), required=False
    )
    outline = forms.BooleanField(
        label=gettext_lazy("Draw the label edges (a test print on plain paper)"), required=False
    )

    SHEET_FIELDS = (
        "rows",
        "columns",
        "label_width",
        "label_height",
        "margin_top",
        "margin_left",
        "gap_x",
        "gap_y",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(k, p.label) for k, p in PRESETS.items()] + [
            (CUSTOM, gettext_lazy("Other sheet (the sizes below)"))
        ]

    def sheet_fields(self):
        return [self[name] for name in self.SHEET_FIELDS]

    @staticmethod
    def initial_for(kind: str, choice: LabelChoice, **extra) -> dict:
        values = {
            "kind": kind,
            "preset": choice.preset,
            "start": choice.start,
            "show_library": choice.show_library,
            **{name: getattr(choice.sheet, name) for name in LabelForm.SHEET_FIELDS},
        }
        values.update(extra)
        return values

    def clean_barcodes(self) -> list[str]:
        return [b for b in re.split(r"[\s,;]+", self.cleaned_data.get("barcodes", "")) if b]

    def clean(self):
        cleaned = super().clean()
        preset = cleaned.get("preset")
        if preset in PRESETS:
            sheet = PRESETS[preset].sheet
            for name in self.SHEET_FIELDS:  # the preset wins over the sizes shown
                self.errors.pop(name, None)
                cleaned[name] = getattr(sheet, name)
        elif all(cleaned.get(name) is not None for name in self.SHEET_FIELDS):
            sheet = LabelSheet(**{name: cleaned[name] for name in self.SHEET_FIELDS})
            sheet = LabelSheet.from_dict(sheet.to_dict())  # decimals to floats
        else:
            return cleaned
        for name, problem in sheet.problems():
            self.add_error(name, problem[:1].upper() + problem[1:])
        cleaned["sheet"] = sheet
        start = cleaned.get("start")
        if start is not None and not sheet.problems() and start > sheet.per_page:
            self.add_error(
                "start",
                _("The sheet has %(count)s labels; give a position from 1 to %(count)s.")
                % {"count": sheet.per_page},
            )
        selection = cleaned.get("selection")
        if selection == Selection.RECORD and not cleaned.get("record"):
            self.add_error(
                "record", _("Give the record number, or choose another way to pick the copies.")
            )
        if selection == Selection.BARCODES and not cleaned.get("barcodes"):
            self.add_error("barcodes", _("Paste or scan at least one barcode."))
        return cleaned

    def choice(self) -> LabelChoice:
        data = self.cleaned_data
        return LabelChoice(
            preset=data["preset"], sheet=data["sheet"], show_library=data["show_library"]
        )
