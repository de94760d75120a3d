"""The demo library's self-check kiosk: SIP2 account `kiosk` (password `kiosk`) at the main
branch, and kiosk PINs for the demo member `anggota` and a few more members (README lists them)."""

from __future__ import annotations

from collections.abc import Callable

from core.demo import DemoOptions, register_step

DEMO_PIN = "1234"
DEMO_PIN_MEMBERS = 5


def build_sip2(options: DemoOptions, say: Callable[[str], None]) -> None:
    from accounts.models import User
    from core.models import Branch
    from patrons.models import Member, MemberStatus
    from patrons.services.pins import set_pin
    from sip2 import services
    from sip2.models import SipAccount

    main = Branch.objects.filter(is_main=True).first()
    librarian = User.objects.filter(username="pustakawan").first()
    if main is None or librarian is None or SipAccount.objects.filter(login="kiosk").exists():
        return
    services.create_account(
        "kiosk",
        "kiosk",
        by=None,
        branch=main,
        description="Demo self-check kiosk",
        acting_user=librarian,
    )
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, manual_block_reason="")
        .exclude(category_id="institution")
        .order_by("number")[:DEMO_PIN_MEMBERS]
    )
    for member in members:
        set_pin(member, DEMO_PIN, by=librarian)
    say(f"SIP2 account kiosk/kiosk; PIN {DEMO_PIN} for {', '.join(m.number for m in members)}")


register_step(50, "sip2", build_sip2)
