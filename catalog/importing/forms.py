from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.exporting import CSV, MARC21, MARCXML
from catalog.importing.spreadsheets import TARGETS
from catalog.models import DuplicatePolicy, ImportFormat
from core.models import Branch


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "MARC21 (.mrc), MARCXML (.xml), CSV or Excel (.xlsx). Large files are fine: the "
            "import runs in the background and can be left."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Recognise it from the content"))] + list(ImportFormat.choices),
        required=False,
    )
    policy = forms.ChoiceField(
        label=_("When a record is already in the catalogue"),
        choices=DuplicatePolicy.choices,
        initial=DuplicatePolicy.SKIP,
        help_text=_("Records are matched by ISBN, ISSN, LCCN or control number."),
    )
    default_branch = forms.ModelChoiceField(
        label=_("Branch for copies"),
        queryset=Branch.objects.order_by("position", "name"),
        required=False,
        empty_label=_("The main branch"),
        help_text=_(
            "Copies whose branch the file does not give, or gives with a code this library "
            "does not have (the code is kept in the copy's notes)."
        ),
    )


class MappingForm(forms.Form):
    """One select per column of the sheet: which field of the record (or copy) it holds."""

    def __init__(self, *args, headers: list[str], samples: dict[str, str], mapping: dict, **kw):
        super().__init__(*args, **kw)
        self.headers = headers
        choices = [("", _("— Not imported —"))] + [(key, label) for key, label in TARGETS.items()]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=mapping.get(header, ""),
                help_text=samples.get(header, ""),
            )

    def clean(self):
        data = super().clean()
        chosen: dict[str, str] = {}
        for index, header in enumerate(self.headers):
            target = data.get(f"column_{index}")
            if not target:
                continue
            if target in chosen:
                raise forms.ValidationError(
                    _("“%(field)s” is chosen for two columns: “%(first)s” and “%(second)s”.")
                    % {"field": TARGETS[target], "first": chosen[target], "second": header}
                )
            chosen[target] = header
        if "title" not in chosen:
            raise forms.ValidationError(_("Choose the column that holds the title."))
        return data

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data[f"column_{index}"]
            for index, header in enumerate(self.headers)
            if self.cleaned_data.get(f"column_{index}")
        }


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            (MARC21, _("MARC21 (ISO 2709, .mrc)")),
            (MARCXML, _("MARCXML (.xml)")),
            (CSV, _("CSV spreadsheet (.csv)")),
        ],
        initial=MARC21,
        widget=forms.RadioSelect,
    )
    q = forms.CharField(
        label=_("Only the records a search finds"),
        required=False,
        max_length=500,
        help_text=_("Leave empty to export the whole catalogue."),
    )
