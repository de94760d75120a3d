from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from catalog.identifiers import InvalidIsbnError
from circulation.models import Hold
from core.errors import PermissionDeniedError
from participation import selectors, services
from participation.models import Suggestion
from participation.states import TRANSITIONS, InvalidTransitionError, SuggestionState, transition

S = SuggestionState
ISBN = "9786020332956"


@pytest.mark.parametrize(("source", "target"), [(a, b) for a in S.values for b in S.values])
def test_transition_table(make_member, source, target, librarian):
    suggestion = Suggestion.objects.create(member=make_member(), title="X", state=source)
    if target in TRANSITIONS[source]:
        transition(suggestion, target, by=librarian)
        suggestion.refresh_from_db()
        assert suggestion.state == target
    else:
        with pytest.raises(InvalidTransitionError):
            transition(suggestion, target, by=librarian)


def test_suggest_by_isbn_or_title_once(make_member):
    member = make_member()
    first = services.suggest(member, isbn="978-602-03-3295-6", title="Bumi")
    assert first.isbn == ISBN
    assert services.suggest(member, isbn=ISBN, title="Bumi") == first  # twice: the same one
    by_title = services.suggest(member, title="Ronggeng Dukuh Paruk")
    assert services.suggest(member, title="ronggeng dukuh paruk") == by_title


def test_malformed_isbn_and_missing_title(make_member):
    with pytest.raises(InvalidIsbnError):
        services.suggest(make_member(), isbn="978-602-03-3295-7", title="Bumi")
    with pytest.raises(services.TitleRequiredError):
        services.suggest(make_member(), title="  ")
    assert not Suggestion.objects.exists()


def test_a_title_we_hold_is_named(make_member, make_record):
    record = make_record(isbn=ISBN)
    with pytest.raises(services.AlreadyHeldError) as caught:
        services.suggest(make_member(), isbn=ISBN)
    assert caught.value.record == record


def test_decisions_need_permission_and_a_reason(make_member, librarian, make_user):
    suggestion = services.suggest(make_member(), title="Bumi")
    with pytest.raises(PermissionDeniedError):
        services.accept(suggestion, staff=make_user("x", roles={"member"}))
    with pytest.raises(services.ReasonRequiredError):
        services.decline(suggestion, " ", staff=librarian)
    services.decline(suggestion, "Out of print.", staff=librarian)
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.reason) == (S.DECLINED, "Out of print.")


def test_catalogued_copy_places_holds_first_suggester_first(
    make_member, make_record, librarian, branches, django_capture_on_commit_callbacks
):
    from catalog.models import Item

    early, late = make_member("Rina"), make_member("Budi")
    a = services.suggest(early, isbn=ISBN, title="Bumi")
    b = services.suggest(late, isbn=ISBN, title="Bumi")
    services.accept(a, staff=librarian)
    services.mark_ordered(a, staff=librarian)
    services.mark_ordered(b, staff=librarian)
    assert selectors.most_suggested()[0]["count"] == 2
    record = make_record(title="Bumi", isbn=ISBN)
    with django_capture_on_commit_callbacks(execute=True):
        Item.objects.create(record=record, barcode="B0001", branch=branches[0], price=1)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == (S.AVAILABLE, S.AVAILABLE)
    assert a.record == record
    holds = list(Hold.objects.filter(record=record).order_by("queue_number"))
    assert [h.member for h in holds] == [early, late]
    assert a.hold == holds[0]
    told = [m for m in mail.outbox if m.to == [early.email]]
    assert told and "/suggest/mine/" in told[-1].body


def test_member_pages_and_staff_page(client, make_member, make_record, librarian):
    client.cookies["django_language"] = "en"
    member = make_member()
    client.force_login(member.user)
    response = client.post(reverse("participation:suggest"), {"isbn": "12345", "title": "Bumi"})
    assert "is not a valid ISBN" in response.content.decode()
    record = make_record(isbn=ISBN)
    held = client.post(reverse("participation:suggest"), {"isbn": ISBN})
    assert reverse("opac:record", args=[record.pk]) in held.content.decode()
    ok = client.post(reverse("participation:suggest"), {"title": "<b>Ronggeng</b>"})
    assert ok.status_code == 302
    mine = client.get(reverse("participation:mine")).content.decode()
    assert "&lt;b&gt;Ronggeng&lt;/b&gt;" in mine
    assert client.get(reverse("participation:staff-suggestions")).status_code == 403
    client.force_login(librarian)
    page = client.get(reverse("participation:staff-suggestions")).content.decode()
    assert "Most suggested" in page
    suggestion = Suggestion.objects.get()
    client.post(
        reverse("participation:staff-suggestion-action", args=[suggestion.pk, "decline"]),
        {"reason": "We have another edition."},
    )
    suggestion.refresh_from_db()
    assert suggestion.state == S.DECLINED


def test_each_suggester_is_told_in_their_language(
    make_member, librarian, django_capture_on_commit_callbacks
):
    english = make_member("Rina", preferred_language="en")
    indonesian = make_member("Budi", preferred_language="id")
    with django_capture_on_commit_callbacks(execute=True):
        services.decline(services.suggest(english, title="Atlas"), "Too dear.", staff=librarian)
        services.accept(services.suggest(indonesian, title="Bumi"), staff=librarian)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        english.email: "Your book suggestion: Declined",
        indonesian.email: "Usulan koleksi Anda: Diterima",
    }


def test_suggestions_waiting_for_a_decision_are_in_the_staff_daily_digest(make_member, librarian):
    from conversations.mail import send_staff_digest

    assert send_staff_digest() == 0
    suggestion = services.suggest(make_member(), title="Orang-Orang Biasa", isbn=ISBN)
    mail.outbox.clear()
    assert send_staff_digest() == 1
    body = mail.outbox[-1].body
    assert mail.outbox[-1].to == [librarian.email]
    assert f"#{suggestion.pk} · Orang-Orang Biasa" in body
    assert reverse("participation:staff-suggestions") in body
    services.accept(suggestion, staff=librarian)
    assert send_staff_digest() == 0
