from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.models import Branch
from sip2.models import HIDEABLE_FIELDS, OPERATIONS, OPTIONAL_FIELDS, SipAccount


class SipAccountForm(forms.ModelForm):
    login = forms.CharField(label=_("Login name"), max_length=50)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )
    operations = forms.MultipleChoiceField(
        label=_("Allowed operations"),
        choices=OPERATIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    optional_fields = forms.MultipleChoiceField(
        label=_("Personal fields to send"),
        choices=OPTIONAL_FIELDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hidden_fields = forms.MultipleChoiceField(
        label=_("Fields to leave out"),
        choices=HIDEABLE_FIELDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SipAccount
        fields = [
            "description",
            "branch",
            "institution_id",
            "encoding",
            "error_detection",
            "language",
            "due_date_format",
            "home_branch_field",
            "screen_message_prefix",
            "require_patron_pin",
            "checked_in_ok",
            "timeout_seconds",
            "acting_user",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.order_by("position", "name")
        self.fields["acting_user"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__startswith="role:")
            .exclude(groups__name="role:member")
            .distinct()
            .order_by("username")
        )
        self.fields["timeout_seconds"].widget.attrs["max"] = 999
        if self.instance.pk:
            self.fields["login"].initial = self.instance.login
            self.fields["login"].disabled = True
        else:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""

    def clean_timeout_seconds(self):
        value = self.cleaned_data["timeout_seconds"]
        if value is not None and value > 999:
            raise forms.ValidationError(_("At most 999 seconds."))
        return value

    def order_fields(self, field_order):
        super().order_fields(["login", "password", "description", "branch"])
