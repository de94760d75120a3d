from __future__ import annotations

import pytest

from conversations import feedback, services
from conversations.models import Feedback, Question
from conversations.moderation import UnwelcomeTextError, check_public_text


@pytest.mark.parametrize(
    "text",
    [
        "Dasar BANGSAT",
        "what the fuck",
        "Slot Gacor hari ini maxwin",
        "http://a.example http://b.example www.c.example https://d.example",
    ],
)
def test_unwelcome_text_is_refused(text):
    with pytest.raises(UnwelcomeTextError):
        check_public_text("ok", text)


@pytest.mark.parametrize(
    "text", ["Ada buku tentang anjing pelacak?", "Buku Babi Ngesot?", "See https://example.org"]
)
def test_innocent_text_passes(text):
    check_public_text(text)


def test_services_refuse_and_store_nothing(library):
    with pytest.raises(UnwelcomeTextError):
        services.ask("judi online murah", name="x")
    with pytest.raises(UnwelcomeTextError):
        feedback.submit("service", "goblok semua", name="x")
    assert not Question.objects.exists() and not Feedback.objects.exists()
