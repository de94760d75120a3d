"""Registering members at the desk: categories and expiry, NIK checks, guardians for children,
photos, and what the member page shows.

Wording is asserted in English (the language cookie for pages, translation.override for the
services), so translating the Indonesian catalogue does not break these tests."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from PIL import Image

from core.models import AuditEntry
from core.tests.test_views import signed_in
from patrons.errors import DuplicateNikError, GuardianRequiredError, InvalidNikError
from patrons.models import Member
from patrons.services import update_member

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

NIK = "6472035501990003"  # Samarinda, a woman born 15 January 1999
TODAY = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # Monday, 10:00 in Samarinda


def signed_in_english(user):
    """Staff signed in to the English interface (the language cookie)."""
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def english():
    """Messages made outside a request are asserted in English too."""
    with translation.override("en"):
        yield


def post(client, data, files=None):
    payload = {
        "full_name": "Ani Wulandari",
        "category": "general",
        "birth_date": "1999-01-15",
        "gender": "f",
        "phone": "0812 3456 7890",
        "home_branch": "",
        **data,
    }
    if files:
        payload.update(files)
    return client.post(reverse("patrons:member-create"), payload)


@time_machine.travel(TODAY, tick=False)
def test_expiry_follows_the_category(librarian, make_member):
    general = make_member("Umum")  # 36 months
    student = make_member("Pelajar", category="school_student", birth_date=dt.date(2010, 5, 2))
    senior = make_member("Lansia", category="senior")  # does not expire
    assert general.joined_on == dt.date(2026, 11, 23)
    assert general.expires_on == dt.date(2029, 11, 23)
    assert student.expires_on == dt.date(2027, 11, 23)
    assert senior.expires_on is None
    assert general.status == "active" and general.confirmed_at is not None


def test_desk_form_registers_with_nik_photo_and_a_nik_with_spaces(librarian, photo_upload):
    client = signed_in_english(librarian)
    response = post(client, {"nik": "6472 0355 0199 0003"}, {"photo": photo_upload()})
    member = Member.objects.get()
    assert response.status_code == 302
    assert member.nik == NIK
    # The photo was made small, upright and anonymous: a random name, JPEG, at most 600 x 800.
    assert member.photo.name.startswith("members/") and member.photo.name.endswith(".jpg")
    assert "Ani" not in member.photo.name and member.number not in member.photo.name
    with default_storage.open(member.photo.name) as handle:
        image = Image.open(handle)
        assert image.format == "JPEG" and image.size == (600, 800)
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("64720355019900A3", "is not a digit"),
        ("647203550199000", "has 15"),
        ("9972035501990003", "99 is not the code of an Indonesian province"),
        ("6472033201990003", "is not a date"),
    ],
)
def test_malformed_nik_is_refused_with_a_clear_message(librarian, nik, message):
    response = post(signed_in_english(librarian), {"nik": nik})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html
    assert not Member.objects.exists()


def test_nik_birth_date_mismatch_saves_with_a_warning(librarian):
    client = signed_in_english(librarian)
    response = post(client, {"nik": NIK, "birth_date": "1999-01-16", "gender": "m"}, None)
    assert Member.objects.get().nik == NIK
    assert response.status_code == 302  # a warning, not a refusal
    page = client.get(response["Location"]).content.decode()
    assert "15-01-99" in page and "16-01-1999" in page  # the flash message and the page
    assert "Please check" in page
    assert "woman" in page


def test_duplicate_nik_gets_a_form_error_naming_the_holder(librarian, make_member):
    holder = make_member("Ani Wulandari", nik=NIK)
    response = post(signed_in_english(librarian), {"full_name": "Ani W.", "nik": NIK})
    html = response.content.decode()
    assert response.status_code == 200
    assert "already registered to Ani Wulandari" in html and holder.number in html
    assert Member.objects.count() == 1


def test_duplicate_nik_through_the_service_is_refused(librarian, make_member):
    make_member("Ani", nik=NIK)
    with pytest.raises(DuplicateNikError):
        make_member("Ani lagi", nik="6472 0355 0199 0003")
    assert Member.objects.count() == 1


def test_database_constraint_is_the_last_word_on_duplicate_niks(librarian, make_member):
    from django.db import IntegrityError, transaction

    first = make_member("Ani", nik=NIK)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            number="X1", full_name="Racer", nik=NIK, joined_on=first.joined_on, status="pending"
        )


def test_a_closed_members_nik_can_be_registered_again(librarian, make_member):
    from patrons.services import close_membership

    old = make_member("Ani", nik=NIK)
    close_membership(old, "moved away", by=librarian)
    assert make_member("Ani", nik=NIK).nik == NIK


def test_institutions_have_no_nik(librarian):
    response = post(
        signed_in_english(librarian),
        {"full_name": "SD Negeri 1", "category": "institution", "nik": NIK, "birth_date": ""},
    )
    assert "An institution has no NIK" in response.content.decode()
    assert not Member.objects.exists()
    response = post(
        signed_in_english(librarian),
        {"full_name": "SD Negeri 1", "category": "institution", "birth_date": "", "gender": ""},
    )
    assert response.status_code == 302


def test_birth_date_is_required_for_people(librarian):
    response = post(signed_in_english(librarian), {"birth_date": ""})
    assert "Enter the date of birth." in response.content.decode()


def test_child_without_guardian_consent_is_refused(librarian):
    response = post(
        signed_in_english(librarian),
        {
            "full_name": "Dimas",
            "category": "child",
            "birth_date": "2018-03-12",
            "guardian_name": "Sri",
            "guardian_relationship": "ibu",
            "guardian_phone": "0812 999",
        },
    )
    html = response.content.decode()
    assert "guardian&#x27;s consent is required" in html or "guardian's consent is required" in html
    assert not Member.objects.exists()


def test_child_without_guardian_details_names_each_missing_field(librarian):
    response = post(
        signed_in_english(librarian),
        {"full_name": "Dimas", "category": "child", "birth_date": "2018-03-12"},
    )
    form = response.context["form"]
    assert set(form.errors) >= {
        "guardian_name",
        "guardian_relationship",
        "guardian_phone",
        "guardian_consent",
    }


@time_machine.travel(TODAY, tick=False)
def test_child_with_guardian_consent_is_registered_and_the_consent_dated(librarian):
    response = post(
        signed_in_english(librarian),
        {
            "full_name": "Dimas",
            "category": "child",
            "birth_date": "2018-03-12",
            "guardian_name": "Sri Rahayu",
            "guardian_relationship": "ibu",
            "guardian_phone": "0812 999",
            "guardian_consent": "on",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get()
    assert member.guardian_consent_at == TODAY


def test_service_refuses_a_child_without_consent(librarian, make_member):
    with pytest.raises(GuardianRequiredError):
        make_member(
            "Dimas",
            category="child",
            guardian_name="Sri",
            guardian_relationship="ibu",
            guardian_phone="0812",
        )


def test_service_refuses_a_malformed_nik(librarian, make_member):
    with pytest.raises(InvalidNikError):
        make_member(nik="1234")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("surat.pdf", b"%PDF-1.4 not an image", "photo_invalid"),
        ("foto.jpg", b"\xff\xd8\xff\xe0 broken jpeg", "photo_invalid"),
        ("kosong.jpg", b"", "empty"),
    ],
)
def test_bad_photos_are_refused(librarian, photo_upload, name, content, code):
    response = post(
        signed_in_english(librarian),
        {},
        {"photo": photo_upload(name, content, "application/octet-stream")},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["photo"]
    assert [error.code for error in errors] == [code]
    if code == "photo_invalid":
        assert "not a photo (JPEG, PNG or WebP)" in response.content.decode()
    assert not Member.objects.exists()


def test_oversized_photo_is_refused(librarian, photo_upload, monkeypatch):
    monkeypatch.setattr("patrons.photos.MAX_UPLOAD_BYTES", 1000)
    response = post(signed_in_english(librarian), {}, {"photo": photo_upload(content=jpeg_bytes())})
    assert "the most is 0 MB" in response.content.decode()
    assert not Member.objects.exists()


def test_photo_that_is_too_many_pixels_is_refused(monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patrons.errors import InvalidPhotoError
    from patrons.photos import prepare_photo

    monkeypatch.setattr("patrons.photos.MAX_PIXELS", 100)
    with pytest.raises(InvalidPhotoError) as caught:
        prepare_photo(SimpleUploadedFile("a.jpg", jpeg_bytes((20, 20))))
    assert "20 × 20 pixels" in str(caught.value)


def test_photo_input_opens_the_camera_on_phones(librarian):
    html = signed_in_english(librarian).get(reverse("patrons:member-create")).content.decode()
    assert 'accept="image/*"' in html and 'capture="user"' in html
    assert 'enctype="multipart/form-data"' in html


def test_replacing_a_photo_deletes_the_old_file(librarian, make_member, photo_upload):
    from django.test import TestCase

    from patrons.photos import prepare_photo

    member = make_member(photo=prepare_photo(photo_upload()))
    old = member.photo.name
    with pytest.MonkeyPatch.context() as patch:
        deleted = []
        patch.setattr(default_storage, "delete", deleted.append)
        with TestCase.captureOnCommitCallbacks(execute=True):
            update_member(member, {"photo": prepare_photo(photo_upload())}, by=librarian)
    assert deleted == [old]
    assert AuditEntry.objects.get(action="member.update").details == {"fields": ["photo"]}


def edit_data(client, member, **changes) -> dict:
    form = client.get(reverse("patrons:member-edit", args=[member.pk])).context["form"]
    values = {name: form[name].value() for name in form.fields if name != "photo"}
    data = {k: v for k, v in values.items() if v not in (None, False)}
    data.update({"birth_date": member.birth_date.isoformat(), **changes})
    return data


def test_editing_keeps_the_photo(librarian, make_member, photo_upload):
    from patrons.photos import prepare_photo

    member = make_member(photo=prepare_photo(photo_upload()))
    photo = member.photo.name
    client = signed_in_english(librarian)
    url = reverse("patrons:member-edit", args=[member.pk])
    response = client.post(url, edit_data(client, member, full_name="Ani W."))
    assert response.status_code == 302, response.context["form"].errors
    member.refresh_from_db()
    assert member.full_name == "Ani W." and member.photo.name == photo
    assert AuditEntry.objects.get(action="member.update").details == {"fields": ["full_name"]}


def test_a_childs_guardian_consent_cannot_be_unticked(librarian, make_member):
    child = make_member(
        "Dimas",
        category="child",
        birth_date=dt.date(2018, 3, 12),
        guardian_name="Sri",
        guardian_relationship="ibu",
        guardian_phone="0812",
        guardian_consent=True,
    )
    client = signed_in_english(librarian)
    data = edit_data(client, child)
    assert data.pop("guardian_consent") is True
    response = client.post(reverse("patrons:member-edit", args=[child.pk]), data)
    assert "guardian_consent" in response.context["form"].errors
    child.refresh_from_db()
    assert child.guardian_consent_at is not None


def test_member_page_shows_circulation_summary_and_is_audited(librarian, make_member):
    member = make_member()
    response = signed_in_english(librarian).get(reverse("patrons:member-detail", args=[member.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Items on loan" in html and "Fines owed" in html and "Holds" in html
    assert "May borrow." in html
    assert AuditEntry.objects.filter(action="member.view", object_id=str(member.pk)).exists()


def test_opening_the_edit_form_is_audited_as_a_view(librarian, make_member):
    member = make_member()
    signed_in_english(librarian).get(reverse("patrons:member-edit", args=[member.pk]))
    assert AuditEntry.objects.filter(action="member.view", object_id=str(member.pk)).exists()


def test_turning_reading_history_off_at_the_desk_deletes_it(
    librarian, make_member, make_item, branch
):
    from circulation.models import Loan

    member = make_member(keep_reading_history=True)
    Loan.objects.create(
        item=make_item(),
        member=member,
        member_category="general",
        branch=branch,
        due_at=dt.datetime(2026, 1, 10, tzinfo=dt.UTC),
        returned_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        state="returned",
        channel="desk",
    )
    update_member(member, {"keep_reading_history": False}, by=librarian)
    assert not Loan.objects.filter(member=member).exists()


def test_the_nik_box_accepts_a_nik_typed_with_spaces(librarian):
    html = signed_in_english(librarian).get(reverse("patrons:member-create")).content.decode()
    assert re.search(r'<input[^>]*name="nik"[^>]*maxlength="24"', html)


class _FormFields(HTMLParser):
    """What a browser sends for the page's POST form, as it was shown (the fields' values)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = attrs.get("method") == "post"
        elif not self._in_form or not attrs.get("name") and tag != "option":
            return
        elif tag == "input" and attrs.get("type") not in ("file", "submit"):
            if attrs.get("type") != "checkbox":
                self.values[attrs["name"]] = attrs.get("value") or ""
            elif "checked" in attrs:
                self.values[attrs["name"]] = attrs.get("value") or "on"
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def shown_form(response) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(response.content.decode())
    return parser.values


def test_saving_an_edit_keeps_what_changed_while_the_page_was_open(librarian, make_member):
    """Siti opens Ani's record to correct her telephone number. Meanwhile another desk renews
    Ani's membership, and Ani, on her phone, chooses to keep her reading history. When Siti
    saves, only the telephone number changes: the renewal and Ani's own choice stay."""
    from circulation.account_services import update_preferences
    from patrons.services import renew_membership

    member = make_member(phone="0812 1111 2222", expires_on=dt.date(2026, 12, 1))
    client = signed_in_english(librarian)
    url = reverse("patrons:member-edit", args=[member.pk])
    data = shown_form(client.get(url))
    assert data["expires_on"] == "2026-12-01" and "keep_reading_history" not in data

    renewed = renew_membership(member, by=librarian).expires_on
    update_preferences(
        member,
        keep_reading_history=True,
        notify_by_email=member.notify_by_email,
        preferred_language=member.preferred_language,
        by=member.user,
    )
    response = client.post(url, {**data, "phone": "0812 3333 4444"})

    assert response.status_code == 302, response.context["form"].errors
    member.refresh_from_db()
    assert member.phone == "0812 3333 4444"
    assert member.expires_on == renewed > dt.date(2026, 12, 1)
    assert member.keep_reading_history is True
    assert AuditEntry.objects.filter(action="member.update").get().details == {"fields": ["phone"]}
