from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from conversations.models import MAX_TEXT, SavedReply


class AskForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        help_text=_("Optional: we e-mail you when we reply. You also get a private link."),
    )
    body = forms.CharField(
        label=_("Your question"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    page_url = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)
    # A field people never see: bots fill it in.
    homepage = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_page_url(self) -> str:
        url = self.cleaned_data.get("page_url") or ""
        # Only a path on this site is kept, never another site's address.
        return url if url.startswith("/") and not url.startswith("//") else ""


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )


class StaffReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the patron"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    wait_for_patron = forms.BooleanField(
        label=_("This reply asks the patron something (waiting for the patron)"), required=False
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (staff only)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How helpful was the answer?"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=500)


class FaqForm(forms.Form):
    question_text = forms.CharField(
        label=_("Question, without names or personal details"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answer_text = forms.CharField(
        label=_("Answer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )


class SavedReplyForm(forms.ModelForm):
    class Meta:
        model = SavedReply
        fields = ["title", "body"]
