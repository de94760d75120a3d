from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from conversations.models import MAX_TEXT, FeedbackCategory, QuestionTopic, SavedReply


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
    topic = forms.ChoiceField(
        label=_("What is it about?"),
        choices=QuestionTopic.choices,
        initial=QuestionTopic.OTHER,
        required=False,
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


class FeedbackForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=FeedbackCategory.choices)
    body = forms.CharField(
        label=_("Your suggestion or complaint"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    rating = forms.TypedChoiceField(
        label=_("Your rating (optional)"),
        choices=[("", _("No rating"))] + [(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    photo = forms.ImageField(
        label=_("A photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )
    is_anonymous = forms.BooleanField(
        label=_("Send anonymously (we keep no name or e-mail)"), required=False
    )
    name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        help_text=_("Optional: we e-mail you our response. You also get a private link."),
    )
    homepage = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_photo(self):
        from django.core.files.uploadedfile import UploadedFile

        from conversations.photos import InvalidPhotoError, prepare_photo

        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            try:
                return prepare_photo(photo)
            except InvalidPhotoError as error:
                raise forms.ValidationError(str(error), code=error.code) from None
        return None


class FeedbackRespondForm(forms.Form):
    text = forms.CharField(
        label=_("Response to the person"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FeedbackResolveForm(forms.Form):
    text = forms.CharField(
        label=_("What we did"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )


class FeedbackCloseForm(forms.Form):
    text = forms.CharField(label=_("Why it is closed without action"), max_length=300)


class FeedbackPublishForm(forms.Form):
    text = forms.CharField(
        label=_("What you said (public summary, no names)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
