"""Online self-registration at /join/: pending until confirmed by the e-mailed link or at the desk;
bots are kept out by a honeypot, a minimum fill time and a per-address limit.

Wording is asserted in the English interface (the language cookie), so translating the
Indonesian catalogue does not break these tests."""

import datetime as dt
import re
import time

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from core.models import AuditEntry
from core.tests.test_views import signed_in
from patrons.forms import PublicRegistrationForm
from patrons.models import Member, SignupCounter
from patrons.services import confirmation_token

pytestmark = pytest.mark.django_db

NIK = "6472035501990003"


def signed_in_english(user):
    """Staff signed in to the English interface (the language cookie)."""
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def public(library, member_categories, client, django_capture_on_commit_callbacks):
    """The anonymous visitor's browser, in English; e-mails queued on commit are sent at once."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    original = client.post

    def post(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(*args, **kwargs)

    client.post = post
    return client


def form_data(**changes):
    data = {
        "full_name": "Rina Marlina",
        "category": "general",
        "nik": NIK,
        "birth_date": "1999-01-15",
        "gender": "f",
        "email": "rina@example.org",
        "phone": "0812 3456 7890",
        "address": "Jl. Juanda 7",
        "city": "Samarinda",
        "home_branch": "",
        "password1": "buku-enak-dibaca-42",
        "password2": "buku-enak-dibaca-42",
        "homepage": "",
        "started": PublicRegistrationForm.started_token(time.time() - 60),
    }
    data.update(changes)
    return data


def join(client, address="127.0.0.1", **changes):
    from core.models import Branch

    data = form_data(**changes)
    if not data["home_branch"]:
        data["home_branch"] = Branch.objects.get(code="pusat").pk
    return client.post(reverse("registration:join"), data, REMOTE_ADDR=address)


def confirmation_link() -> str:
    return re.search(r"https?://\S+/join/confirm/\S+/", mail.outbox[-1].body).group(0)


def test_the_form_is_public_and_offers_no_institution_category(public):
    response = public.get(reverse("registration:join"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="institution"' not in html and 'value="child"' in html
    assert 'capture="user"' in html
    assert 'name="homepage"' in html and 'aria-hidden="true"' in html


def test_registration_creates_a_pending_member_an_account_and_sends_the_link(public):
    response = join(public)
    assert response.status_code == 302 and response["Location"] == reverse("registration:sent")
    member = Member.objects.get()
    assert member.status == "pending" and member.registered_via == "online"
    assert member.nik == NIK and member.confirmed_at is None
    user = member.user
    assert user.username == member.number.lower() and user.email == "rina@example.org"
    assert user.groups.filter(name="role:member").exists()
    assert user.check_password("buku-enak-dibaca-42")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rina@example.org"]
    assert member.number in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="member.create", details__channel="online").exists()
    page = public.get(response["Location"]).content.decode()
    assert member.number in page


def test_a_pending_member_may_not_borrow(public):
    from circulation.selectors import member_blocks

    join(public)
    assert [block.code for block in member_blocks(Member.objects.get())] == ["pending"]


def test_opening_the_link_shows_a_button_and_posting_confirms(public):
    join(public)
    link = confirmation_link()
    page = public.get(link)
    assert page.status_code == 200
    assert Member.objects.get().status == "pending"  # a mail scanner opening it confirms nothing
    response = public.post(link)
    member = Member.objects.get()
    assert response.status_code == 200 and "is confirmed" in response.content.decode()
    assert member.status == "active" and member.confirmed_at is not None
    assert member.expires_on == member.joined_on.replace(year=member.joined_on.year + 3)
    assert AuditEntry.objects.filter(action="member.confirm", details__via="link").exists()
    # Opening it again is harmless.
    assert public.post(link).status_code == 200


def test_expired_confirmation_link_is_refused_and_a_new_one_can_be_sent(public):
    with time_machine.travel(dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        join(public)
        link = confirmation_link()
    with time_machine.travel(dt.datetime(2026, 11, 5, 2, 0, tzinfo=dt.UTC), tick=False):
        response = public.post(link)
        assert response.status_code == 400
        html = response.content.decode()
        assert "has expired" in html and "resend" in html
        assert Member.objects.get().status == "pending"
        resend = public.post(reverse("registration:resend", args=[link.rstrip("/").split("/")[-1]]))
        assert resend.status_code == 200 and len(mail.outbox) == 2
        assert mail.outbox[1].to == ["rina@example.org"]
        assert public.post(confirmation_link()).status_code == 200
    assert Member.objects.get().status == "active"


def test_tampered_link_is_refused(public):
    join(public)
    token = confirmation_token(Member.objects.get())
    response = public.post(reverse("registration:confirm", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert Member.objects.get().status == "pending"


def test_staff_confirm_pending_registrations_from_the_list(public, librarian):
    join(public)
    member = Member.objects.get()
    client = signed_in_english(librarian)
    html = client.get(reverse("patrons:pending-list")).content.decode()
    assert "Rina Marlina" in html
    assert AuditEntry.objects.filter(action="member.list", details__list="pending").exists()
    client.post(reverse("patrons:member-confirm", args=[member.pk]))
    member.refresh_from_db()
    assert member.status == "active"
    assert AuditEntry.objects.filter(action="member.confirm", actor=librarian).exists()
    assert (
        "No registration is waiting."
        in client.get(reverse("patrons:pending-list")).content.decode()
    )


def test_honeypot_pretends_success_and_stores_nothing(public):
    response = join(public, homepage="http://spam.example")
    assert response.status_code == 302
    assert not Member.objects.exists() and not User.objects.exists() and not mail.outbox


def test_a_form_sent_too_quickly_is_shown_again(public):
    response = join(public, started=PublicRegistrationForm.started_token(time.time()))
    assert response.status_code == 200
    assert "sent too quickly" in response.content.decode()
    assert not Member.objects.exists()
    # The form now carries a fresh start time; sent again later, it goes through.
    started = response.context["form"].data["started"]
    assert started != form_data()["started"]


def test_a_forged_start_time_is_refused(public):
    response = join(public, started="12345")
    assert "The form has expired" in response.content.decode()
    assert not Member.objects.exists()


def test_too_many_registrations_from_one_address_are_refused(public, settings):
    settings.PUSTAKA_SIGNUPS_PER_ADDRESS_PER_HOUR = 2
    join(public, email="a@example.org", nik="")
    join(public, email="b@example.org", nik="")
    response = join(public, email="c@example.org", nik="")
    assert response.status_code == 429
    assert "Too many registrations" in response.content.decode()
    assert Member.objects.count() == 2
    assert SignupCounter.objects.get().count == 3
    # Another address is not affected.
    other = join(public, email="d@example.org", nik="", address="10.0.0.9")
    assert other.status_code == 302
    assert Member.objects.count() == 3


def test_duplicate_nik_does_not_reveal_who_holds_it(public, make_member):
    make_member("Rina Marlina", nik=NIK)
    html = join(public).content.decode()
    assert "This NIK is already registered. If it is yours" in html
    assert "A00000001" not in html
    assert Member.objects.count() == 1


def test_email_of_an_existing_account_is_refused(public, make_user):
    make_user("lama", email="rina@example.org")
    html = join(public).content.decode()
    assert "already belongs to an account" in html
    assert not Member.objects.exists()


def test_online_child_registration_needs_the_guardians_consent(public):
    data = {
        "category": "child",
        "birth_date": "2018-03-12",
        "nik": "",
        "guardian_name": "Sri",
        "guardian_relationship": "ibu",
        "guardian_phone": "0812",
    }
    response = join(public, **data)
    assert "guardian_consent" in response.context["form"].errors
    response = join(public, guardian_consent="on", **data)
    assert response.status_code == 302
    assert Member.objects.get().guardian_consent_at is not None


def test_mismatched_passwords_and_weak_passwords_are_refused(public):
    response = join(public, password2="lain-sekali-99")
    assert "The two passwords differ." in response.content.decode()
    response = join(public, password1="12345678", password2="12345678")
    assert "password2" in response.context["form"].errors
    assert not Member.objects.exists()


def test_the_member_sees_a_digital_card(public):
    join(public)
    member = Member.objects.get()
    public.force_login(member.user)
    html = public.get(reverse("registration:card")).content.decode()
    assert member.number in html
    assert 'class="barcode"' in html and "qr-code" in html
    assert "not been confirmed" in html  # a pending member is told why they cannot borrow
    assert "Starts when the membership is confirmed" in html


def test_the_digital_card_needs_a_sign_in(public):
    response = public.get(reverse("registration:card"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_signed_in_member_is_sent_to_their_card(public):
    join(public)
    public.force_login(Member.objects.get().user)
    response = public.get(reverse("registration:join"))
    assert response.status_code == 302 and response["Location"] == reverse("registration:card")


def test_pending_list_costs_the_same_queries_for_few_or_many(public, librarian):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_english(librarian)

    def count() -> int:
        client.get(reverse("patrons:pending-list"))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("patrons:pending-list"))
        return len(captured)

    join(public, email="a@example.org", nik="")
    few = count()
    for n in range(4):
        join(public, email=f"b{n}@example.org", nik="", address=f"10.0.0.{n}")
    assert Member.objects.filter(status="pending").count() == 5
    assert count() == few
