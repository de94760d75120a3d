"""Forms of the desk, the loan-rules screen and the member's own account."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import MaterialType
from circulation.models import DeletionRequestStatus, LoanPolicy, PaymentMethod
from core.models import Branch
from patrons.models import MemberCategory


class ScanForm(forms.Form):
    code = forms.CharField(
        label=_("Scan a member card or an item barcode"),
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "aria-describedby": "scan-help",
            }
        ),
        error_messages={"required": _("Scan or type a member number or an item barcode.")},
    )
    # An override of a refused checkout: the reason is required and audited.
    override = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for overriding"), max_length=300, required=False)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class OverrideReasonForm(forms.Form):
    override = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for overriding"), max_length=300, required=False)


class BranchChoiceForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Which branch's desk are you working at?"),
        queryset=Branch.objects.filter(is_active=True),
        empty_label=None,
        widget=forms.RadioSelect,
    )


class RupiahField(forms.CharField):
    """Whole Rupiah as typed at a desk: '12500', '12.500', 'Rp 12.500'. Zero and negative
    amounts pass through so that the service says what is wrong with them."""

    default_error_messages = {
        "invalid": _("Enter the amount in whole Rupiah, for example 12500 or 12.500."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = (
            re.sub(r"(?i)^\s*(-?)\s*rp\.?\s*", r"\1", value).replace(" ", "").replace("\u00a0", "")
        )
        if not re.fullmatch(r"-?\d{1,3}(\.\d{3})+|-?\d+", text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        amount = int(text.replace(".", ""))
        if abs(amount) > 10**12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


def _amount_widget():
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})


class PaymentForm(forms.Form):
    amount = RupiahField(label=_("Amount paid (Rp)"), widget=_amount_widget())
    method = forms.ChoiceField(
        label=_("Paid by"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH
    )


class WaiverForm(forms.Form):
    amount = RupiahField(label=_("Amount to waive (Rp)"), widget=_amount_widget())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Required: it is written to the audit log."),
    )


class ChargeForm(forms.Form):
    barcode = forms.CharField(
        label=_("Barcode of the damaged item"),
        max_length=40,
        required=False,
        help_text=_("Leave empty for a charge that is not about one item."),
    )
    amount = RupiahField(
        label=_("Amount (Rp)"),
        required=False,
        widget=_amount_widget(),
        help_text=_("Empty: the item's price."),
    )
    reason = forms.CharField(label=_("What is damaged"), max_length=300)


class PlaceHoldForm(forms.Form):
    record = forms.CharField(
        label=_("Title to hold"),
        max_length=60,
        help_text=_("The barcode of any copy, an ISBN, or the record number."),
    )
    pickup_branch = forms.ModelChoiceField(
        label=_("Pick up at"), queryset=Branch.objects.filter(is_active=True), empty_label=None
    )


class SuspendHoldForm(forms.Form):
    until = forms.DateField(
        label=_("Pause until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_until(self) -> dt.date:
        until = self.cleaned_data["until"]
        today = timezone.localdate()
        if until <= today:
            raise forms.ValidationError(_("Choose a date after today."))
        if until > today + dt.timedelta(days=366):
            raise forms.ValidationError(_("A hold can be paused for a year at most."))
        return until


class LoanPolicyForm(forms.ModelForm):
    material_type = forms.ChoiceField(
        label=_("Material type"),
        choices=[("", _("Any material type")), *MaterialType.choices],
        required=False,
    )
    holds_allowed = forms.NullBooleanField(
        label=_("Holds allowed"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Inherit")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )

    class Meta:
        model = LoanPolicy
        fields = [
            "name",
            "member_category",
            "material_type",
            "branch",
            "loan_days",
            "max_items",
            "max_renewals",
            "fine_per_day",
            "grace_days",
            "max_fine",
            "holds_allowed",
            "hold_pickup_days",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_category"].empty_label = _("Any member category")
        self.fields["branch"].empty_label = _("Any branch")
        for name in (
            "loan_days",
            "max_items",
            "max_renewals",
            "fine_per_day",
            "grace_days",
            "max_fine",
            "hold_pickup_days",
        ):
            self.fields[name].help_text = _("Empty: inherited from a less specific rule.")
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean(self):
        data = super().clean()
        taken = LoanPolicy.objects.filter(
            member_category=data.get("member_category"),
            material_type=data.get("material_type") or "",
            branch=data.get("branch"),
        ).exclude(pk=self.instance.pk)
        if "member_category" in data and "branch" in data and taken.exists():
            raise forms.ValidationError(
                _(
                    "There is already a rule for this member category, material type and "
                    "branch: “%(name)s”. Change that rule instead."
                )
                % {"name": taken.first().name}
            )
        return data

    def _get_validation_exclusions(self):
        # The one-rule-per-cell constraint is checked in clean() above, with a message that
        # names the rule already there (the model's own says only "constraint violated").
        exclude = super()._get_validation_exclusions()
        exclude.add("member_category")
        return exclude


class RuleQuestionForm(forms.Form):
    """Which rule applies to this member (or category) and this item (or material type)?"""

    member = forms.CharField(label=_("Member number"), max_length=20, required=False)
    category = forms.ModelChoiceField(
        label=_("or member category"),
        queryset=MemberCategory.objects.all(),
        required=False,
        to_field_name="code",
    )
    item = forms.CharField(label=_("Item barcode"), max_length=40, required=False)
    material_type = forms.ChoiceField(
        label=_("or material type"),
        choices=[("", "—"), *MaterialType.choices],
        required=False,
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.filter(is_active=True), empty_label=None
    )

    def clean(self):
        data = super().clean()
        if not (data.get("member") or data.get("category")):
            self.add_error("member", _("Give a member number or choose a category."))
        if not (data.get("item") or data.get("material_type")):
            self.add_error("item", _("Give an item barcode or choose a material type."))
        return data


class DeletionHandlingForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (DeletionRequestStatus.DONE, DeletionRequestStatus.DONE.label),
            (DeletionRequestStatus.DECLINED, DeletionRequestStatus.DECLINED.label),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


# ---------------------------------------------------------------------------------------------
# The member's own account


class PreferencesForm(forms.Form):
    keep_reading_history = forms.BooleanField(
        label=_("Keep a list of the items I have borrowed"),
        required=False,
        help_text=_(
            "Off by default. Turning it off deletes the list at once: the library keeps no record "
            "of what you read once items are back and fines are paid."
        ),
    )
    notify_by_email = forms.BooleanField(
        label=_("Send me notices by e-mail (due dates, holds ready, overdue items)"),
        required=False,
    )
    preferred_language = forms.ChoiceField(
        label=_("Language of notices"), choices=settings.LANGUAGES
    )


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Anything the library should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, I want my library account deleted."),
        error_messages={"required": _("Tick the box to confirm the request.")},
    )
