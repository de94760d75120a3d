"""Signing in: password, second factor, forced enrolment, sessions and sign-out."""

import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import totp_code
from core.models import AuditEntry

pytestmark = pytest.mark.django_db
LOGIN = "/account/login/"


def post_login(client, username, password="secret-pass-1", **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_member_signs_in_with_password_only(client, library, make_user):
    make_user("rina", roles={"member"})
    response = post_login(client, "rina")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.login", actor__username="rina").exists()


def test_sign_in_by_e_mail_address_in_any_case(client, library, make_user):
    make_user("rina", roles={"member"}, email="Rina@Example.org")
    assert post_login(client, "rina@example.ORG").status_code == 302


def test_wrong_password_is_refused_with_a_message_and_recorded(client, library, make_user):
    make_user("rina", roles={"member"})
    response = post_login(client, "rina", "wrong")
    assert response.status_code == 401
    assert 'class="errorlist nonfield"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.login_failed", object_repr="rina").exists()


def test_librarian_with_authenticator_must_give_the_code(client, library, make_user):
    user = make_user("siti", roles={"librarian"}, totp=True)
    response = post_login(client, "siti", next="/staff/members/")
    assert response["Location"] == reverse("accounts:verify")
    assert "_auth_user_id" not in client.session  # not signed in yet
    response = client.post(reverse("accounts:verify"), {"code": totp_code(user)})
    assert response.status_code == 302
    assert response["Location"] == "/staff/members/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/staff/").status_code == 200


def test_wrong_code_is_refused_and_counts_as_a_failure(client, library, make_user):
    user = make_user("siti", roles={"librarian"}, totp=True)
    post_login(client, "siti")
    good = totp_code(user)
    bad = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:verify"), {"code": bad})
    assert response.status_code == 401
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.2fa_failed").count() == 1


def test_code_page_without_a_password_step_goes_back_to_sign_in(client, library):
    response = client.get(reverse("accounts:verify"))
    assert response["Location"] == reverse("accounts:login")


def test_password_step_expires_after_five_minutes(client, library, make_user):
    user = make_user("siti", roles={"librarian"}, totp=True)
    post_login(client, "siti")
    session = client.session
    session["pustaka_pending_at"] = time.time() - 301
    session.save()
    response = client.post(reverse("accounts:verify"), {"code": totp_code(user)})
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_head_without_authenticator_must_set_one_up_before_entering(client, library, make_user):
    user = make_user("kepala", roles={"head"})
    response = post_login(client, "kepala")
    assert response["Location"] == reverse("accounts:two-factor-setup")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<svg" in html  # the QR code
    assert "_auth_user_id" not in client.session
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    device.confirmed = True  # compute the code the phone would show
    device.save()
    code = totp_code(user)
    device.confirmed = False
    device.save()
    response = client.post(reverse("accounts:two-factor-setup"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert TOTPDevice.objects.get(user=user).confirmed


def test_someone_with_only_the_password_cannot_enrol_a_new_authenticator(
    client, library, make_user
):
    make_user("siti", roles={"librarian"}, totp=True)
    post_login(client, "siti")
    response = client.get(reverse("accounts:two-factor-setup"))
    assert response["Location"] == reverse("accounts:verify")
    assert TOTPDevice.objects.filter(user__username="siti").count() == 1


def test_member_turns_two_factor_on_and_off(client, library, make_user):
    user = make_user("rina", roles={"member"})
    client.force_login(user)
    client.get(reverse("accounts:two-factor-setup"))
    device = TOTPDevice.objects.get(user=user)
    device.confirmed = True
    device.save()
    code = totp_code(user)
    device.confirmed = False
    device.save()
    assert client.post(reverse("accounts:two-factor-setup"), {"code": code}).status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    client.post(reverse("accounts:two-factor-disable"))
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_head_cannot_turn_off_the_required_second_factor(client, library, make_user):
    user = make_user("kepala", roles={"head"}, totp=True)
    client.force_login(user)
    client.post(reverse("accounts:two-factor-disable"))
    assert TOTPDevice.objects.filter(user=user).exists()


def test_sign_out_ends_the_session_and_is_recorded(client, library, make_user):
    user = make_user("rina", roles={"member"})
    post_login(client, "rina")
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.logout", actor=user).exists()


def test_sign_out_by_get_is_not_allowed(client, library, make_user):
    make_user("rina", roles={"member"})
    post_login(client, "rina")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_staff_session_is_shorter_than_a_members(client, library, make_user, settings):
    make_user("siti", roles={"librarian"})
    post_login(client, "siti")
    assert client.session.get_expiry_age() == settings.PUSTAKA_STAFF_SESSION_HOURS * 3600


def test_preferred_language_is_applied_at_sign_in(client, library, make_user):
    make_user("rina", roles={"member"}, preferred_language="en")
    response = post_login(client, "rina")
    assert response.cookies["django_language"].value == "en"


def test_language_switch_is_saved_on_the_account(client, library, make_user):
    user = make_user("rina", roles={"member"})
    client.force_login(user)
    client.post(reverse("accounts:set-language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_next_parameter_cannot_send_people_off_site(client, library, make_user):
    make_user("rina", roles={"member"})
    response = post_login(client, "rina", next="https://evil.example/steal")
    assert response["Location"] == reverse("accounts:home")


def test_password_reset_mail_is_sent_in_indonesian_and_its_link_works(
    client, library, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    make_user("rina", roles={"member"}, email="rina@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the worker sends it
        response = client.post(reverse("accounts:password-reset"), {"email": "rina@example.org"})
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "Perpustakaan Uji" in message.subject
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    page = client.get(path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    response = client.post(
        form_url, {"new_password1": "a-new-long-pass-22", "new_password2": "a-new-long-pass-22"}
    )
    assert response.status_code == 302
    assert post_login(client, "rina", "a-new-long-pass-22").status_code == 302


def test_password_reset_for_unknown_address_looks_the_same(client, library, mailoutbox):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert mailoutbox == []


def test_admin_site_signs_in_through_pustaka(client, library):
    response = client.get("/admin/", follow=False)
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith(LOGIN)
