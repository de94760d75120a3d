"""Forms for the desk and the public registration page. They parse and check input and say what
is wrong where; the rules themselves are in patrons.nik, patrons.photos and the services."""

from __future__ import annotations

import time

from django import forms
from django.contrib.auth import password_validation
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from patrons import selectors
from patrons.errors import InvalidNikError, InvalidPhotoError
from patrons.models import Member, MemberCategory, MemberStatus
from patrons.nik import normalise_nik, parse_nik
from patrons.photos import prepare_photo
from patrons.services.members import CATEGORY_RULE_FIELDS, GUARDIAN_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _allow_typed_nik(field: forms.CharField) -> None:
    """A NIK may be typed with spaces or dots ("6472 0355 0199 0003"): let the browser accept
    more than 16 characters; clean_nik stores the 16 digits."""
    field.max_length = 24
    field.validators = []
    field.widget.attrs["maxlength"] = "24"


class PhotoInput(forms.ClearableFileInput):
    """On a phone, opens the front camera; elsewhere, picks a file."""

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", "capture": "user", **(attrs or {})})


class MemberFieldsMixin:
    """Checks shared by the desk and the public form."""

    #: Whether the duplicate-NIK message may name the member who holds it (staff only).
    reveal_duplicates = False
    require_birth_date = True

    def clean_nik(self) -> str:
        nik = normalise_nik(self.cleaned_data.get("nik") or "")
        if not nik:
            return ""
        try:
            parse_nik(nik)
        except InvalidNikError as error:
            raise forms.ValidationError(str(error), code=error.reason) from None
        instance = getattr(self, "instance", None)
        holder = selectors.current_member_with_nik(
            nik, exclude_pk=instance.pk if instance is not None else None
        )
        if holder is not None:
            if self.reveal_duplicates:
                raise forms.ValidationError(
                    _(
                        "This NIK is already registered to %(name)s (member %(number)s). Open "
                        "that record instead, or merge the two if they are the same person."
                    ),
                    code="nik_duplicate",
                    params={"name": holder.full_name, "number": holder.number},
                )
            raise forms.ValidationError(
                _(
                    "This NIK is already registered. If it is yours, sign in or ask at the "
                    "library's desk."
                ),
                code="nik_duplicate",
            )
        return nik

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            try:
                return prepare_photo(photo)
            except InvalidPhotoError as error:
                raise forms.ValidationError(str(error), code=error.code) from None
        return photo

    def _check_category_rules(self, cleaned: dict) -> None:
        category: MemberCategory | None = cleaned.get("category")
        if category is None:
            return
        if category.is_institution:
            if cleaned.get("nik"):
                self.add_error("nik", _("An institution has no NIK: leave the NIK empty."))
        elif (
            self.require_birth_date
            and not cleaned.get("birth_date")
            and "birth_date" in self.fields
        ):
            self.add_error("birth_date", _("Enter the date of birth."))
        if category.requires_guardian:
            for name in GUARDIAN_FIELDS:
                if not (cleaned.get(name) or "").strip() and name not in self.errors:
                    self.add_error(
                        name,
                        _("Members of the category “%(category)s” need a guardian: fill this in.")
                        % {"category": category.name},
                    )
            if not cleaned.get("guardian_consent"):
                self.add_error(
                    "guardian_consent",
                    _(
                        "The guardian's consent is required for a child's membership (UU PDP "
                        "No. 27/2022)."
                    ),
                )


class MemberForm(MemberFieldsMixin, forms.ModelForm):
    """Registering and changing a member at the desk."""

    reveal_duplicates = True

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=PhotoInput(),
        help_text=_("Take a photo with the phone or choose one (JPEG or PNG, at most 8 MB)."),
    )
    guardian_consent = forms.BooleanField(
        label=_(
            "The guardian has consented to the membership and to the library keeping the "
            "child's data"
        ),
        required=False,
        help_text=_(
            "Tick only when the parent or guardian has given consent (UU PDP No. 27/2022)."
        ),
    )

    send_access_link = forms.BooleanField(
        label=_("E-mail a link to set up online access (renewals, holds, the phone app)"),
        required=False,
        initial=True,
        help_text=_(
            "The member chooses a password through the link, valid for three days. Only "
            "when an e-mail address is given."
        ),
    )

    class Meta:
        model = Member
        fields = [
            "full_name",
            "category",
            "nik",
            "birth_date",
            "gender",
            "email",
            "phone",
            "address",
            "city",
            "institution",
            "home_branch",
            "photo",
            "guardian_name",
            "guardian_relationship",
            "guardian_phone",
            "guardian_consent",
            "expires_on",
            "preferred_language",
            "notify_by_email",
            "keep_reading_history",
        ]
        widgets = {
            "birth_date": DATE_WIDGET,
            "expires_on": DATE_WIDGET,
            "address": forms.Textarea(attrs={"rows": 3}),
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "guardian_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "nik": _("16 digits, from the KTP or the family card (KK). Not for institutions."),
            "expires_on": _("Leave empty to count it from the category."),
            "institution": _("The school or university, or the institution's own name."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _allow_typed_nik(self.fields["nik"])
        self.fields["category"].empty_label = None
        if self.instance.pk:
            self.fields["guardian_consent"].initial = self.instance.guardian_consent_at is not None
            self.require_birth_date = False  # older records may not have it
            del self.fields["send_access_link"]  # the member's page has the button for it
            # Each field also sends the value the page showed (a hidden "initial-" input), so
            # that saving writes only what the librarian changed: a renewal, or the member's
            # own choices, made while the page was open are not written back over.
            for name, field in self.fields.items():
                if name != "photo":
                    field.show_hidden_initial = True
        else:
            for name in ("expires_on", "preferred_language", "notify_by_email"):
                del self.fields[name]

    def _post_clean(self):
        # The photo is handed to the service as a prepared file; the model sees it there.
        photo = self.cleaned_data.pop("photo", None) if hasattr(self, "cleaned_data") else None
        super()._post_clean()
        if hasattr(self, "cleaned_data"):
            self.cleaned_data["photo"] = photo

    def clean(self):
        cleaned = super().clean()
        self._check_category_rules(cleaned)
        return cleaned

    def _edited(self, name: str) -> bool:
        """Did the librarian change this field from what the page showed? A form sent without
        the values shown (not from this page) counts every field as changed."""
        if self.add_initial_prefix(name) not in self.data:
            return True
        return name in self.changed_data

    def service_data(self) -> dict:
        """The cleaned values as the services take them; when editing, only those changed."""
        data = dict(self.cleaned_data)
        data.pop("send_access_link", None)
        photo = data.pop("photo", None)
        if self.instance.pk:
            data = {name: value for name, value in data.items() if self._edited(name)}
        if isinstance(photo, ContentFile) or (photo is False and self.instance.pk):
            data["photo"] = photo  # a new photo, or (when editing) "remove the photo"
        return data


class PublicRegistrationForm(MemberFieldsMixin, forms.ModelForm):
    """Self-registration on the web (/join/)."""

    MIN_FILL_SECONDS = 3
    STARTED_SALT = "patrons.registration.started"

    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=PhotoInput(),
        help_text=_("A photo of your face for the member card. JPEG or PNG, at most 8 MB."),
    )
    guardian_consent = forms.BooleanField(
        label=_(
            "I am the parent or guardian, and I consent to this membership and to the library "
            "keeping the child's data"
        ),
        required=False,
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Bot traps: a field people never see, and when the form was handed out (signed).
    homepage = forms.CharField(required=False, label=_("Leave this field empty"))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Member
        fields = [
            "full_name",
            "category",
            "nik",
            "birth_date",
            "gender",
            "email",
            "phone",
            "address",
            "city",
            "institution",
            "home_branch",
            "photo",
            "guardian_name",
            "guardian_relationship",
            "guardian_phone",
            "guardian_consent",
            "keep_reading_history",
        ]
        widgets = {
            "birth_date": DATE_WIDGET,
            "address": forms.Textarea(attrs={"rows": 3}),
            "nik": forms.TextInput(attrs={"inputmode": "numeric"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {
            "nik": _(
                "The 16 digits on your KTP or family card (KK). Bring the card when you first "
                "borrow."
            ),
            "institution": _("Your school or university, if any."),
            "guardian_name": _("Only for children: the parent or guardian."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _allow_typed_nik(self.fields["nik"])
        self.fields["email"].required = True
        self.fields["category"].queryset = MemberCategory.objects.filter(is_institution=False)
        self.fields["category"].empty_label = None
        self.fields["home_branch"].empty_label = None
        self.fields["home_branch"].required = True
        self.fields["homepage"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.fields["started"].initial = self.started_token()

    @classmethod
    def started_token(cls, at: float | None = None) -> str:
        return signing.dumps(at if at is not None else time.time(), salt=cls.STARTED_SALT)

    @property
    def is_bot(self) -> bool:
        """The hidden field was filled in: only a program does that."""
        return bool(self.data.get("homepage"))

    def clean_started(self) -> str:
        token = self.cleaned_data.get("started") or ""
        try:
            started = float(signing.loads(token, salt=self.STARTED_SALT, max_age=24 * 3600))
        except (signing.BadSignature, TypeError, ValueError):
            raise forms.ValidationError(
                _("The form has expired. Check your details and send it again."), code="stale"
            ) from None
        if time.time() - started < self.MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("The form was sent too quickly. Check your details and send it again."),
                code="too_fast",
            )
        return token

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("The two passwords differ."), code="password_mismatch")
        return second

    def _post_clean(self):
        photo = self.cleaned_data.pop("photo", None) if hasattr(self, "cleaned_data") else None
        super()._post_clean()
        if hasattr(self, "cleaned_data"):
            self.cleaned_data["photo"] = photo
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, None)
            except forms.ValidationError as error:
                self.add_error("password2", error)

    def clean(self):
        cleaned = super().clean()
        if self.errors.get("started"):
            # Show it at the top: the hidden field has no place of its own.
            self.add_error(None, self.errors.pop("started"))
            self.data = self.data.copy()
            self.data["started"] = self.started_token()
        self._check_category_rules(cleaned)
        return cleaned

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("password1", "password2", "homepage", "started"):
            data.pop(name, None)
        if not isinstance(data.get("photo"), ContentFile):
            data.pop("photo", None)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Staff see it on the member's page; it is written to the audit log."),
    )


class CategoryForm(forms.ModelForm):
    class Meta:
        model = MemberCategory
        fields = list(CATEGORY_RULE_FIELDS)


class MergeForm(forms.Form):
    keep = forms.ChoiceField(label=_("Keep this record"), widget=forms.RadioSelect)

    def __init__(self, *args, first: Member, second: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (str(m.pk), f"{m.full_name} ({m.number}, {m.get_status_display()})")
            for m in (first, second)
        ]


class CardSelectionForm(forms.Form):
    LAYOUT_SHEET = "sheet"
    LAYOUT_SINGLE = "single"

    numbers = forms.CharField(
        label=_("Member numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One per line, or scan the cards one after the other."),
    )
    registered_from = forms.DateField(
        label=_("Or everyone registered from"), required=False, widget=DATE_WIDGET
    )
    registered_to = forms.DateField(label=_("until"), required=False, widget=DATE_WIDGET)
    layout = forms.ChoiceField(
        label=_("Print on"),
        choices=[
            (LAYOUT_SHEET, _("A4 sheets of ten cards (fronts, then backs)")),
            (LAYOUT_SINGLE, _("Card-size pages, for a card printer")),
        ],
        initial=LAYOUT_SHEET,
        widget=forms.RadioSelect,
    )

    MAX_CARDS = 500

    def clean(self):
        cleaned = super().clean()
        numbers = [
            n for n in (cleaned.get("numbers") or "").replace(",", "\n").split() if n.strip()
        ]
        start, end = cleaned.get("registered_from"), cleaned.get("registered_to")
        members: list[Member] = []
        if numbers:
            members, unknown = selectors.members_by_numbers(numbers)
            if unknown:
                self.add_error(
                    "numbers",
                    _("No member has the number %(numbers)s.") % {"numbers": ", ".join(unknown)},
                )
        elif start:
            members = list(
                selectors.members_registered_between(start, end or start)[: self.MAX_CARDS + 1]
            )
        else:
            raise forms.ValidationError(
                _("Enter member numbers, or a date to print everyone registered since then."),
                code="empty",
            )
        inactive = [m.number for m in members if m.status != MemberStatus.ACTIVE]
        if inactive:
            self.add_error(
                "numbers" if numbers else None,
                _(
                    "Only active members get a card. Waiting for confirmation, closed or "
                    "merged: %(numbers)s."
                )
                % {"numbers": ", ".join(inactive)},
            )
        if not members and not self.errors:
            raise forms.ValidationError(_("No member matches."), code="none")
        if len(members) > self.MAX_CARDS:
            raise forms.ValidationError(
                _("That is more than %(max)s cards; print them in smaller batches.")
                % {"max": self.MAX_CARDS},
                code="too_many",
            )
        cleaned["members"] = members
        return cleaned


class AccessRequestForm(forms.Form):
    """Online access for a member registered at the desk: the card number and the e-mail the
    library has on record."""

    number = forms.CharField(
        label=_("Member number"),
        max_length=20,
        help_text=_("As printed on your member card."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The address you gave the library when you registered."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # A field people never see: only a program fills it in.
    homepage = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["homepage"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("homepage"))
