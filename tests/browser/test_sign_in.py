"""Staff and members signing in: the second factor, enrolment, signing out, being locked out."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from conftest import totp_code
from tests.browser.helpers import assert_accessible, take_screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"  # make_user's


def submit_sign_in(page, username: str, password: str):
    """Fill the sign-in form on the current page and send it; the response to the POST."""
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        form.locator("button[type=submit]").click()
    return response.value


def submit_code(page, code: str):
    form = page.locator("main form")
    form.locator("input[name=code]").fill(code)
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        form.locator("button[type=submit]").click()
    return response.value


def sign_out_button(page):
    return page.locator(".site-header form[action='/account/logout/'] button")


def test_librarian_with_authenticator_signs_in_with_code_and_signs_out(
    page, site, library, make_user
):
    user = make_user("siti", roles={"librarian"}, totp=True)
    page.goto(site("/account/login/"))
    assert_accessible(page)

    submit_sign_in(page, "siti", PASSWORD)

    expect(page).to_have_url(site("/account/login/code/"))
    expect(page.locator("main")).to_contain_text("siti")
    assert_accessible(page)

    submit_code(page, totp_code(user))

    expect(page).to_have_url(site("/staff/"))
    expect(page.locator("h1")).to_contain_text("siti")
    expect(page.locator(".staff-bar")).to_be_visible()
    expect(sign_out_button(page)).to_have_text("Keluar")
    assert_accessible(page)
    take_screenshots(page, "staff-home")

    sign_out_button(page).click()

    expect(page).to_have_url(site("/"))
    expect(sign_out_button(page)).to_have_count(0)
    expect(page.locator(".main-nav a[href='/account/login/']")).to_be_visible()
    expect(page.locator(".messages .message.success")).to_have_count(1)
    assert_accessible(page)

    # The session is over: the staff home asks to sign in again.
    page.goto(site("/staff/"))
    expect(page).to_have_url(re.compile(re.escape(site("/account/login/?next=")) + ".*staff"))


def test_head_of_library_without_authenticator_must_set_one_up(page, site, library, make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("ratna", roles={"head"})
    page.goto(site("/account/login/"))

    submit_sign_in(page, "ratna", PASSWORD)

    expect(page).to_have_url(site("/account/two-factor/"))
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.locator(".message.warning")).to_be_visible()  # the role requires it
    assert_accessible(page)
    take_screenshots(page, "two-factor-setup")

    # What the authenticator app does with the key typed in instead of scanned.
    secret = page.locator(".secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    submit_code(page, f"{TOTP(key).token():06d}")

    expect(page).to_have_url(site("/staff/"))
    expect(page.locator("h1")).to_contain_text("ratna")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert_accessible(page)


def test_member_is_locked_out_after_repeated_wrong_passwords(
    page, site, library, make_user, settings
):
    # Lock on the third failure; no slow-down to wait out before it.
    settings.PUSTAKA_LOGIN_SLOWDOWN_AFTER = 100
    settings.PUSTAKA_LOGIN_LOCKOUT_AFTER = 3
    make_user("budi", roles={"member"})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": site("/")}])
    page.goto(site("/account/login/"))
    error = page.locator("main [role=alert]")

    for _attempt in range(3):
        response = submit_sign_in(page, "budi", "wrong-password")
        assert response.status == 401
        expect(error).to_contain_text("user name or password is not right")

    response = submit_sign_in(page, "budi", "wrong-password")
    assert response.status == 429
    expect(error).to_contain_text("Sign-in is locked until")
    assert_accessible(page)

    # Even the right password is refused while the lock lasts.
    response = submit_sign_in(page, "budi", PASSWORD)
    assert response.status == 429
    expect(error).to_contain_text("Sign-in is locked until")
    expect(page).to_have_url(site("/account/login/"))
    expect(sign_out_button(page)).to_have_count(0)
