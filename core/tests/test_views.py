"""Public pages, staff settings screens and error pages, as a browser sees them."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry, Branch, ClosedDay
from core.selectors import get_library

pytestmark = pytest.mark.django_db

# Monday 23 Nov 2026, 10:00 WITA.
MONDAY_MORNING = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def signed_in(user) -> Client:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_home_shows_search_box_and_todays_hours_per_branch(client, library):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="search"' in html and 'name="q"' in html
    assert "Pusat" in html and "Cabang" in html
    assert "08.00–16.00" in html
    assert "Jl. Uji No. 1" in html and "uji@example.org" in html


@time_machine.travel(MONDAY_MORNING, tick=False)
def test_home_says_why_a_branch_is_closed_today(client, library):
    ClosedDay.objects.create(
        branch=Branch.objects.get(code="cabang"),
        start_date=dt.date(2026, 11, 23),
        end_date=dt.date(2026, 11, 23),
        reason="Stock opname",
    )
    html = client.get("/").content.decode()
    assert "Stock opname" in html


def test_home_is_indonesian_by_default_even_for_an_english_browser(client, library):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()


def test_language_choice_is_remembered_in_a_cookie(client, library):
    response = client.post(reverse("accounts:set-language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get("/")
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_opening_hours_page_lists_the_week_and_coming_holidays(client, library):
    with time_machine.travel(dt.datetime(2026, 8, 10, 2, 0, tzinfo=dt.UTC), tick=False):
        html = client.get(reverse("core:opening-hours")).content.decode()
    assert "Kemerdekaan" in html  # 17 August is within the coming weeks


def test_staff_pages_send_anonymous_visitors_to_sign_in(client, library):
    response = client.get(reverse("core:library-edit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_expired_session_is_said_on_the_sign_in_page(client, library):
    client.cookies["sessionid"] = "expired-or-unknown-session-key"
    response = client.get(reverse("core:staff-home"))
    assert "expired=1" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert 'class="message warning"' in page


def test_librarian_is_refused_the_library_profile_with_a_clear_page(library, make_user):
    client = signed_in(make_user("siti", roles={"librarian"}))
    response = client.get(reverse("core:library-edit"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'href="/"' in html  # a way back
    assert "Traceback" not in html


def test_head_saves_the_library_profile(library, make_user):
    head = make_user("kepala", roles={"head"}, totp=True)
    client = signed_in(head)
    form = client.get(reverse("core:library-edit"))
    assert form.status_code == 200
    response = client.post(
        reverse("core:library-edit"),
        {
            "name": "Perpustakaan Kota Uji",
            "time_zone": "Asia/Makassar",
            "observe_public_holidays": "on",
            "postal_code": "75123",
        },
    )
    assert response.status_code == 302
    assert get_library().name == "Perpustakaan Kota Uji"
    assert AuditEntry.objects.filter(action="library.update", actor=head).exists()


def test_bad_postal_code_is_named_and_nothing_is_saved(library, make_user):
    client = signed_in(make_user("kepala", roles={"head"}, totp=True))
    response = client.post(
        reverse("core:library-edit"),
        {"name": "Diubah", "time_zone": "Asia/Makassar", "postal_code": "12"},
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert get_library().name == "Perpustakaan Uji"


def test_head_without_verified_second_factor_is_sent_to_sign_in(library, make_user):
    client = Client()
    client.force_login(make_user("kepala", roles={"head"}, totp=True))  # no OTP in session
    response = client.get(reverse("core:library-edit"))
    assert response.status_code == 302


def test_weekly_hours_form_reports_half_filled_periods(library, make_user):
    client = signed_in(make_user("kepala", roles={"head"}, totp=True))
    branch = Branch.objects.get(code="cabang")
    response = client.post(
        reverse("core:branch-hours", args=[branch.pk]),
        {
            "d0_p0_opens": "08:00",
            "d0_p0_closes": "",
            "d1_p0_opens": "09:00",
            "d1_p0_closes": "12:00",
        },
    )
    assert response.status_code == 200
    assert branch.opening_periods.count() == 5  # unchanged


def test_weekly_hours_form_saves_the_week(library, make_user):
    client = signed_in(make_user("kepala", roles={"head"}, totp=True))
    branch = Branch.objects.get(code="cabang")
    response = client.post(
        reverse("core:branch-hours", args=[branch.pk]),
        {
            "d0_p0_opens": "08:00",
            "d0_p0_closes": "11:30",
            "d0_p1_opens": "13:00",
            "d0_p1_closes": "16:00",
            "d5_p0_opens": "09:00",
            "d5_p0_closes": "12:00",
        },
    )
    assert response.status_code == 302
    assert sorted(branch.opening_periods.values_list("weekday", flat=True)) == [0, 0, 5]


def test_audit_log_is_searchable_by_who_and_whom(library, make_user):
    head = make_user("kepala", roles={"head"}, totp=True)
    librarian = make_user("siti", roles={"librarian"})
    from patrons.services import register_member, update_member

    member = register_member({"full_name": "Budi Santoso"}, by=librarian)
    update_member(member, {"phone": "0812"}, by=librarian)
    client = signed_in(head)
    html = client.get(reverse("core:audit-log"), {"actor": "siti", "subject": "Budi"}).content
    html = html.decode()
    assert html.count("Budi Santoso") >= 2
    assert "siti" in html
    # The search itself is recorded.
    assert AuditEntry.objects.filter(action="audit.search", actor=head).exists()


def test_librarian_cannot_read_the_audit_log(library, make_user):
    client = signed_in(make_user("siti", roles={"librarian"}))
    assert client.get(reverse("core:audit-log")).status_code == 403


def test_missing_page_is_a_clear_404_in_the_visitors_language(client, library):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert 'href="/"' in html
    client.cookies["django_language"] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html


def test_tampered_form_gets_a_csrf_page_not_a_traceback(library):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Traceback" not in html
    assert 'href="/"' in html


def test_server_error_page_shows_no_traceback(library, settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("secret internals")

    import config.urls

    settings.ROOT_URLCONF = type(
        "Urls",
        (),
        {
            "urlpatterns": [path("boom/", boom), *config.urls.urlpatterns],
            "handler500": config.urls.handler500,
        },
    )
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "secret internals" not in html and "Traceback" not in html
    assert re.search(r'<html lang="(id|en)">', html)


def test_every_response_carries_a_content_security_policy(client, library):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def _png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (11, 85, 99)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_head_uploads_a_logo_that_the_header_shows(library, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(make_user("kepala", roles={"head"}, totp=True))
    logo = SimpleUploadedFile("logo.png", _png_bytes(), content_type="image/png")
    response = client.post(
        reverse("core:library-edit"),
        {"name": "Perpustakaan Uji", "time_zone": "Asia/Makassar", "logo": logo},
    )
    assert response.status_code == 302
    library = get_library()
    assert library.logo.name.startswith("library/")
    assert f'src="{library.logo.url}"' in client.get("/").content.decode()


def test_a_file_that_is_not_an_image_is_refused_as_logo(library, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(make_user("kepala", roles={"head"}, totp=True))
    fake = SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(
        reverse("core:library-edit"),
        {"name": "Perpustakaan Uji", "time_zone": "Asia/Makassar", "logo": fake},
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not get_library().logo
