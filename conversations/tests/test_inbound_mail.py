"""Replying by e-mail: the thread's e-mails carry a Reply-To with the thread's secret, and
`pustaka receive_mail` adds the asker's answer (quoted text and signature removed) to the
thread, once, and only from the asker's address."""

from __future__ import annotations

import base64
import io
import quopri

import pytest
from django.core import mail
from django.core.management import call_command

from conversations import inbound, services
from conversations.models import InboundMail, Message
from conversations.states import QuestionState

S = QuestionState
ADDRESS = "tanya@perpus.example"


@pytest.fixture(autouse=True)
def _reply_address(settings):
    settings.PUSTAKA_QUESTION_REPLY_ADDRESS = ADDRESS


@pytest.fixture
def answered(question, librarian, run):
    run(services.reply, question, "Ada, di rak 745.", staff=librarian)
    question.refresh_from_db()
    assert question.state == S.ANSWERED
    return question


def raw_mail(
    question,
    body: str,
    *,
    sender="Rina <rina@example.org>",
    message_id="<CAF1x9@mail.example.org>",
    to=None,
    content_type='text/plain; charset="utf-8"',
    encoding="8bit",
    extra="",
) -> bytes:
    to = to or inbound.reply_address(question)
    headers = (
        f"Return-Path: <rina@example.org>\r\n"
        f"Delivered-To: {to}\r\n"
        f"From: {sender}\r\n"
        f"To: Perpustakaan Uji <{to}>\r\n"
        f"Subject: Re: The library has replied to your question\r\n"
        f"Date: Mon, 23 Nov 2026 10:15:00 +0800\r\n"
        f"Message-ID: {message_id}\r\n"
        f"In-Reply-To: <thread@perpus.example>\r\n"
        f"MIME-Version: 1.0\r\n"
        f"{extra}"
        f"Content-Type: {content_type}\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return headers.encode() + (body.encode("utf-8") if isinstance(body, str) else body)


def receive(raw, run):
    return run(inbound.receive, raw)


def patron_messages(question):
    return list(question.messages.filter(kind=Message.Kind.PATRON).values_list("body", flat=True))


GMAIL_ID = """Terima kasih, Bu. Apakah bukunya bisa saya pinjam hari Sabtu?

Salam,
Rina

Pada tanggal Sen, 23 Nov 2026 pukul 09.00 Perpustakaan Uji <
tanya+1x000000000000000000000000@perpus.example> menulis:

> Ada, di rak 745.
>
> Perpustakaan Uji
"""


def test_outgoing_thread_mail_has_the_threads_reply_to(answered):
    sent = mail.outbox[-1]
    assert sent.reply_to == [inbound.reply_address(answered)]
    assert sent.reply_to[0].startswith("tanya+") and sent.reply_to[0].endswith("@perpus.example")
    assert "replying to this e-mail" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"


def test_no_reply_to_without_a_question_address(settings, question, librarian, run):
    settings.PUSTAKA_QUESTION_REPLY_ADDRESS = ""
    run(services.reply, question, "Ada.", staff=librarian)
    assert mail.outbox[-1].reply_to == []
    assert "replying to this e-mail" not in mail.outbox[-1].body


def test_a_gmail_reply_in_indonesian_joins_the_thread_without_the_quote(answered, run, librarian):
    mail.outbox.clear()
    result = receive(raw_mail(answered, GMAIL_ID), run)
    assert result.outcome == "added"
    assert patron_messages(answered) == [
        "Terima kasih, Bu. Apakah bukunya bisa saya pinjam hari Sabtu?\n\nSalam,\nRina"
    ]
    answered.refresh_from_db()
    assert answered.state == S.OPEN  # back in the queue
    # The librarian who answered (the question is assigned to them) is told, in their language.
    assert [m.to for m in mail.outbox] == [["siti@example.org"]]
    assert "Terima kasih, Bu." in mail.outbox[0].body
    assert f"/staff/questions/{answered.pk}/" in mail.outbox[0].body


def test_the_same_message_twice_adds_one_reply(answered, run):
    raw = raw_mail(answered, GMAIL_ID)
    assert receive(raw, run).duplicate is False
    again = receive(raw, run)
    assert again.duplicate is True and again.outcome == "added"
    assert len(patron_messages(answered)) == 1
    assert InboundMail.objects.count() == 1


def test_quoted_printable_outlook_reply(answered, run):
    text = (
        "Baik, saya akan datang jam 10.00. Terima kasih banyak atas bantuannya yang sangat "
        "berarti bagi penelitian saya.\r\n\r\n"
        "________________________________\r\n"
        "Dari: Perpustakaan Uji <tanya@perpus.example>\r\n"
        "Dikirim: Senin, 23 November 2026 09.00\r\n"
        "Kepada: Rina <rina@example.org>\r\n"
        "Subjek: The library has replied to your question\r\n\r\n"
        "Ada, di rak 745.\r\n"
    )
    body = quopri.encodestring(text.encode("utf-8"))
    raw = raw_mail(answered, body, encoding="quoted-printable")
    assert b"=\r\n" in body or b"=\n" in body  # a soft line break: really encoded
    assert receive(raw, run).outcome == "added"
    assert patron_messages(answered) == [
        "Baik, saya akan datang jam 10.00. Terima kasih banyak atas bantuannya yang sangat "
        "berarti bagi penelitian saya."
    ]


def test_base64_latin1_reply_with_a_signature(answered, run):
    text = "Sudah saya terima, terima kasih.\n\n-- \nRina Ayu\nDosen, Universitas Mulawarman\n"
    body = base64.encodebytes("Café buku ditutup? ".encode("iso-8859-1") + text.encode())
    raw = raw_mail(
        answered,
        body,
        content_type='text/plain; charset="iso-8859-1"',
        encoding="base64",
    )
    assert receive(raw, run).outcome == "added"
    assert patron_messages(answered) == ["Café buku ditutup? Sudah saya terima, terima kasih."]


def test_html_only_reply_is_made_plain(answered, run):
    html = (
        "<html><head><style>p{color:red}</style></head><body>"
        "<div dir='ltr'><p>Apakah ada edisi <b>bahasa Inggris</b>?</p>"
        "<p>Saya juga mencari &quot;Tenun Ikat&quot; &amp; katalognya.</p>"
        "<script>alert(1)</script></div>"
        "<div class='gmail_quote'><div>On Mon, 23 Nov 2026 Perpustakaan wrote:</div>"
        "<blockquote>Ada, di rak 745.</blockquote></div></body></html>"
    )
    raw = raw_mail(answered, html, content_type='text/html; charset="utf-8"')
    assert receive(raw, run).outcome == "added"
    assert patron_messages(answered) == [
        'Apakah ada edisi bahasa Inggris?\n\nSaya juga mencari "Tenun Ikat" & katalognya.'
    ]


def test_multipart_alternative_prefers_the_plain_part(answered, run):
    boundary = "b1_xyz"
    body = (
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\nYang teks biasa.\r\n"
        f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<p>Yang HTML.</p>\r\n"
        f"--{boundary}--\r\n"
    )
    raw = raw_mail(
        answered,
        body,
        content_type=f'multipart/alternative; boundary="{boundary}"',
        encoding="7bit",
    )
    assert receive(raw, run).outcome == "added"
    assert patron_messages(answered) == ["Yang teks biasa."]


def test_a_forged_token_finds_no_thread(answered, run):
    good = inbound.reply_token(answered)
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    raw = raw_mail(answered, "Halo", to=f"tanya+{forged}@perpus.example")
    result = receive(raw, run)
    assert result.outcome == "unknown_thread"
    other_number = f"{answered.pk + 1}x{good.split('x', 1)[1]}"
    raw = raw_mail(
        answered, "Halo", to=f"tanya+{other_number}@perpus.example", message_id="<other@x>"
    )
    assert receive(raw, run).outcome == "unknown_thread"
    assert patron_messages(answered) == []


def test_a_wrong_sender_is_refused_and_logged(answered, run, caplog):
    raw = raw_mail(answered, "Saya juga mau tanya.", sender="Orang Lain <lain@example.net>")
    with caplog.at_level("WARNING", logger="pustaka.conversations.mail"):
        result = receive(raw, run)
    assert result.outcome == "wrong_sender"
    assert "lain@example.net" in caplog.text
    assert patron_messages(answered) == []
    answered.refresh_from_db()
    assert answered.state == S.ANSWERED


def test_staff_see_the_refused_mail_on_the_question(answered, run, client, librarian):
    receive(raw_mail(answered, "Saya juga.", sender="lain@example.net"), run)
    client.cookies["django_language"] = "en"
    client.force_login(librarian)
    page = client.get(f"/staff/questions/{answered.pk}/").content.decode()
    assert "E-mails not added to the thread" in page
    assert "lain@example.net" in page and "Not from the asker&#x27;s address" in page


def test_the_sender_check_ignores_case(answered, run):
    raw = raw_mail(answered, "Oke.", sender="RINA@Example.ORG")
    assert receive(raw, run).outcome == "added"


def test_an_out_of_office_answer_is_set_aside(answered, run):
    raw = raw_mail(answered, "Saya sedang cuti.", extra="Auto-Submitted: auto-replied\r\n")
    assert receive(raw, run).outcome == "auto_reply"
    assert patron_messages(answered) == []


def test_a_reply_to_a_closed_question_is_refused(answered, librarian, run):
    services.close(answered, staff=librarian)
    assert receive(raw_mail(answered, "Satu lagi."), run).outcome == "refused"
    assert patron_messages(answered) == []


def test_a_reply_of_only_quoted_text_adds_nothing(answered, run):
    raw = raw_mail(answered, "> Ada, di rak 745.\n")
    assert receive(raw, run).outcome == "empty"
    assert patron_messages(answered) == []


def test_command_reads_one_message_from_standard_input(answered, monkeypatch):
    raw = raw_mail(answered, "Dari pipa.")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("receive_mail", stdout=out)
    assert "added" in out.getvalue()
    assert patron_messages(answered) == ["Dari pipa."]


def test_command_handles_a_maildir_and_moves_messages_to_cur(answered, tmp_path):
    import mailbox

    box = mailbox.Maildir(tmp_path / "tanya", create=True)
    box.add(raw_mail(answered, "Pesan pertama.", message_id="<1@example.org>"))
    box.add(raw_mail(answered, "Pesan kedua.", message_id="<2@example.org>"))
    out = io.StringIO()
    call_command("receive_mail", maildir=str(tmp_path / "tanya"), stdout=out)
    assert sorted(patron_messages(answered)) == ["Pesan kedua.", "Pesan pertama."]
    assert list((tmp_path / "tanya" / "new").iterdir()) == []
    done = list((tmp_path / "tanya" / "cur").iterdir())
    assert len(done) == 2 and all(path.name.endswith(":2,S") for path in done)
    # Run again: nothing new, nothing added.
    call_command("receive_mail", maildir=str(tmp_path / "tanya"), stdout=out)
    assert len(patron_messages(answered)) == 2


def test_strip_reply_keeps_inline_answers_and_drops_quotes():
    text = (
        "> Bisa datang jam berapa?\nJam 10.\n> Bawa kartu?\nYa, saya bawa.\n\n"
        "Dikirim dari iPhone saya"
    )
    assert inbound.strip_reply(text) == "Jam 10.\nYa, saya bawa."
