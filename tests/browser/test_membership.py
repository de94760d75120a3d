"""Membership in the browser: register at the desk with a photo and print the card; register
online; the member's digital card. axe-core on every page; screenshots for a person to look at."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, take_screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"  # make_user's


def jpeg(path) -> str:
    from PIL import Image

    image = Image.new("RGB", (900, 1200), (170, 120, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def sign_in(page, site, username: str, password: str = PASSWORD) -> None:
    page.goto(site("/account/login/"))
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_librarian_registers_a_member_with_a_photo_and_prints_the_card(
    page, site, library, member_categories, make_user, tmp_path
):
    from patrons.models import Member

    make_user("siti", roles={"librarian"})
    sign_in(page, site, "siti")
    page.goto(site("/staff/members/new/"))
    assert_accessible(page)
    take_screenshots(page, "member-register")

    form = page.locator("main form")
    form.locator("[name=full_name]").fill("Ani Wulandari")
    form.locator("[name=category]").select_option("general")
    form.locator("[name=nik]").fill("6472 0355 0199 0003")
    form.locator("[name=birth_date]").fill("1999-01-16")  # the NIK says the 15th: a warning
    form.locator("[name=gender]").select_option("f")
    form.locator("[name=phone]").fill("0812 3456 7890")
    form.locator("[name=photo]").set_input_files(jpeg(tmp_path / "foto.jpg"))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    member = Member.objects.get()
    expect(page).to_have_url(site(f"/staff/members/{member.pk}/"))
    expect(page.locator("main")).to_contain_text(member.number)
    expect(page.locator("main")).to_contain_text("15-01-99")  # the NIK warning
    expect(page.locator("img.member-photo")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "member-detail")

    link = page.locator(f"a[href='/staff/members/{member.pk}/card.pdf']")
    expect(link).to_be_visible()
    response = page.request.get(site(link.get_attribute("href")))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == 2


def test_a_visitor_registers_online_and_sees_the_digital_card(
    page, site, library, member_categories
):
    from patrons.models import Member

    page.goto(site("/join/"))
    assert_accessible(page)
    take_screenshots(page, "join")
    form = page.locator("main form")
    form.locator("[name=full_name]").fill("Rina Marlina")
    form.locator("[name=category]").select_option("general")
    form.locator("[name=birth_date]").fill("2001-04-02")
    form.locator("[name=email]").fill("rina@example.org")
    form.locator("[name=password1]").fill("buku-enak-dibaca-42")
    form.locator("[name=password2]").fill("buku-enak-dibaca-42")
    page.wait_for_timeout(3200)  # people take longer than the bot-check's minimum fill time
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(site("/join/sent/"))
    member = Member.objects.get()
    assert member.status == "pending"
    expect(page.locator("main")).to_contain_text(member.number)
    assert_accessible(page)

    sign_in(page, site, "rina@example.org", "buku-enak-dibaca-42")
    page.goto(site("/join/card/"))
    expect(page.locator(".digital-card")).to_contain_text(member.number)
    expect(page.locator(".digital-card svg.barcode")).to_be_visible()
    expect(page.locator(".digital-card svg.qr-code")).to_be_visible()
    assert_accessible(page)
    take_screenshots(page, "digital-card")
