from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SuggestionForm(forms.Form):
    isbn = forms.CharField(label=_("ISBN (if you know it)"), max_length=30, required=False)
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    author = forms.CharField(label=_("Author"), max_length=300, required=False)
    note = forms.CharField(
        label=_("Why the library should have it (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), max_length=500)
