"""Point 5: certificates of attendance (PDF with a verification code, a public page that
verifies it), issued by the coordinator for attendees and speakers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import PermissionDeniedError
from core.models import AuditEntry
from events import errors, selectors, services
from events.models import Certificate, Speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def held(make_event, make_member, librarian):
    """An event that has happened: two came (one a class of 12), one did not, one walked in."""
    now = timezone.now()
    event = make_event(
        title="Lokakarya Menulis",
        kind="workshop",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        max_group_size=30,
    )
    event.speakers.add(Speaker.objects.create(name="Dewi Lestari", bio="Penulis."))
    came = services.register(event, member=make_member("Rina")).registration
    group = services.register(
        event, name="Bu Ani", phone="0811", seats=12, group_name="SMPN 1"
    ).registration
    absent = services.register(event, member=make_member("Joko")).registration
    later = now + dt.timedelta(hours=1, minutes=5)
    services.check_in(came, by=librarian, at=later)
    services.check_in(group, by=librarian, at=later)
    services.record_walk_in(event, by=librarian, name="Pak Budi", at=later)
    return event, came, group, absent


def test_issued_to_everyone_checked_in_and_the_speakers_once(held, coordinator):
    event, came, group, absent = held
    at = event.ends_at
    result = services.issue_certificates(event, by=coordinator, at=at)
    assert sorted(c.name for c in result.attendees) == ["Bu Ani", "Pak Budi", "Rina"]
    assert [c.name for c in result.speakers] == ["Dewi Lestari"]
    assert not Certificate.objects.filter(registration=absent).exists()
    codes = set(Certificate.objects.values_list("code", flat=True))
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes)
    # Again: nobody gets a second one and the codes stay.
    again = services.issue_certificates(event, by=coordinator, at=at)
    assert again.count == 0
    assert set(Certificate.objects.values_list("code", flat=True)) == codes
    entry = AuditEntry.objects.filter(action="event.certificates").first()
    assert entry is not None and entry.actor == coordinator


def test_only_the_coordinator_issues_and_not_before_the_event(held, librarian, coordinator):
    event = held[0]
    with pytest.raises(PermissionDeniedError):
        services.issue_certificates(event, by=librarian, at=event.ends_at)
    with pytest.raises(errors.CertificatesTooEarlyError):
        services.issue_certificates(
            event, by=coordinator, at=event.starts_at - dt.timedelta(minutes=1)
        )
    assert not Certificate.objects.exists()


def test_the_attendee_downloads_the_pdf_from_their_registration_page(en, held, coordinator):
    event, came, _group, absent = held
    services.issue_certificates(event, by=coordinator, at=event.ends_at)
    certificate = Certificate.objects.get(registration=came)
    page = en.get(reverse("events:registration", args=[selectors.registration_token(came)]))
    assert "Download my certificate" in page.content.decode()
    assert certificate.code in page.content.decode()
    response = en.get(
        reverse("events:registration-certificate", args=[selectors.registration_token(came)])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == 1
    assert certificate.code.encode() in pdf  # in the document's properties
    # Someone who did not come has none.
    token = selectors.registration_token(absent)
    assert (
        "Download my certificate"
        not in en.get(reverse("events:registration", args=[token])).content.decode()
    )
    assert en.get(reverse("events:registration-certificate", args=[token])).status_code == 404


def test_the_public_page_verifies_a_code_and_says_when_it_is_unknown(en, held, coordinator):
    event, came, *_ = held
    services.issue_certificates(event, by=coordinator, at=event.ends_at)
    certificate = Certificate.objects.get(registration=came)
    page = en.get(reverse("events:certificate", args=[certificate.code]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "This certificate is genuine" in body and "Rina" in body and event.title in body
    # Typed sloppily (lower case, no dashes): the lookup form finds it.
    sloppy = certificate.code.replace("-", " ").lower()
    response = en.get(reverse("events:certificate-lookup"), {"code": sloppy})
    assert response.status_code == 302
    assert en.get(response["Location"]).status_code == 200
    unknown = en.get(reverse("events:certificate", args=["ABCD-EFGH-JKLM"]))
    assert unknown.status_code == 404
    assert "Unknown code" in unknown.content.decode()
    assert "Rina" not in unknown.content.decode()
    assert en.get(reverse("events:certificate", args=["x"])).status_code == 404


def test_coordinator_screens_issue_list_and_download_speaker_certificates(
    en, held, coordinator, librarian
):
    event = held[0]
    event.starts_at = timezone.now() - dt.timedelta(hours=2)
    event.ends_at = timezone.now() - dt.timedelta(hours=1)
    event.save()
    en.force_login(librarian)
    assert en.post(reverse("events:staff-issue-certificates", args=[event.pk])).status_code == 403
    en.force_login(coordinator)
    response = en.post(reverse("events:staff-issue-certificates", args=[event.pk]), follow=True)
    assert "4 certificates issued." in response.content.decode()
    speaker = Certificate.objects.get(role="speaker")
    page = en.get(reverse("events:staff-certificates", args=[event.pk])).content.decode()
    assert speaker.code in page and "Dewi Lestari" in page
    pdf = en.get(reverse("events:staff-certificate-pdf", args=[event.pk, speaker.pk]))
    assert pdf.status_code == 200 and speaker.code.encode() in pdf.content
    assert AuditEntry.objects.filter(action="event.certificate_download").count() == 1
