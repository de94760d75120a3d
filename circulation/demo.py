"""The demo library's daily life: past and current loans (some overdue), fines paid and owed,
holds waiting and ready on the hold shelf, a stocktake in progress and a week of visitors.

Everything goes through the services with past moments (`at=`), so the data is what the
desk would have made: loan events, due dates on open days, fines per open day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from core.demo import DemoOptions, register_step


def build_circulation(options: DemoOptions, say: Callable[[str], None]) -> None:
    from accounts.models import User
    from catalog.models import Item, ItemStatus
    from circulation import services
    from circulation.errors import CirculationError
    from circulation.models import Loan
    from core.models import Branch
    from patrons.models import Member, MemberStatus

    if Loan.objects.exists() or not Item.objects.exists():
        return
    librarian = User.objects.filter(username="pustakawan").first()
    if librarian is None:
        return
    rng = random.Random(options.seed + 4)
    now = timezone.now()
    today = timezone.localdate()
    branches = list(Branch.objects.order_by("position"))
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, expires_on__gt=today).exclude(
            category_id="institution"
        )[:400]
    )
    items = list(Item.objects.filter(status=ItemStatus.AVAILABLE).select_related("record")[:2000])
    rng.shuffle(items)
    if len(members) < 5 or len(items) < 30:
        return
    counts = {"past": 0, "current": 0, "overdue": 0, "holds": 0, "ready": 0, "paid": 0}

    def lend(item, member, at) -> object | None:
        try:
            return services.check_out(item, member, staff=librarian, branch=item.branch, at=at).loan
        except CirculationError:
            return None

    # Past loans: lent 40-120 days ago, back after 3-25 days (some late, with fines).
    pool = iter(items)
    for item in [next(pool) for _ in range(min(300, len(items) // 4))]:
        member = rng.choice(members)
        lent_at = now - dt.timedelta(days=rng.randint(40, 120), hours=rng.randint(0, 6))
        loan = lend(item, member, lent_at)
        if loan is None:
            continue
        back_at = lent_at + dt.timedelta(days=rng.randint(3, 25))
        services.check_in(item, staff=librarian, branch=rng.choice(branches), at=back_at)
        services.check_in(
            item, staff=librarian, branch=item.branch, at=back_at + dt.timedelta(days=1)
        )
        counts["past"] += 1
    # Some of the fines from late returns have been paid.
    from circulation.selectors import fine_balance

    for member in members:
        owed = fine_balance(member)
        if owed and rng.random() < 0.6:
            services.pay(
                member,
                owed,
                method=rng.choice(["cash", "qris"]),
                staff=librarian,
                at=now - dt.timedelta(days=rng.randint(1, 30)),
            )
            counts["paid"] += 1

    # Current loans: lent in the last 40 days; those older than the loan period are overdue.
    on_loan = []
    for item in [next(pool) for _ in range(min(160, len(items) // 5))]:
        member = rng.choice(members)
        days_ago = rng.randint(0, 13) if rng.random() < 0.8 else rng.randint(14, 40)
        lent_at = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 5))
        loan = lend(item, member, lent_at)
        if loan is not None:
            on_loan.append(loan)
            counts["current"] += 1
            counts["overdue"] += loan.due_at < now
    # Holds waiting on titles that are out.
    for loan in on_loan[:40]:
        member = rng.choice(members)
        try:
            services.place_hold(
                loan.item.record,
                member,
                pickup_branch=rng.choice(branches),
                at=now - dt.timedelta(days=rng.randint(0, 10)),
            )
            counts["holds"] += 1
        except CirculationError:
            continue
    # Holds ready on the hold shelf: a returned copy trapped for the first in line.
    for loan in on_loan[40:52]:
        member = rng.choice(members)
        try:
            services.place_hold(
                loan.item.record,
                member,
                pickup_branch=loan.item.branch,
                at=now - dt.timedelta(days=3),
            )
        except CirculationError:
            continue
        result = services.check_in(
            loan.item, staff=librarian, branch=loan.item.branch, at=now - dt.timedelta(days=1)
        )
        counts["ready"] += result.route == "hold_shelf"
        counts["current"] -= 1

    say(
        "Circulation: {past} past loans, {current} on loan ({overdue} overdue), {holds} holds "
        "waiting, {ready} ready for pickup, {paid} fines paid".format(**counts)
    )
    _stocktake(branches, say)
    _visits(options, members, branches, say)


def _stocktake(branches, say) -> None:
    from accounts.models import User
    from catalog.models import Item, ItemStatus
    from inventory import services as inventory

    user = User.objects.filter(username="katalog").first()
    if user is None or len(branches) < 2:
        return
    branch = branches[1]
    session = inventory.start_session(branch, by=user, name="Stock opname akhir tahun")
    codes = list(
        Item.objects.filter(branch=branch, status=ItemStatus.AVAILABLE).values_list(
            "barcode", flat=True
        )
    )
    seen = codes[: len(codes) * 2 // 3]
    inventory.ingest_file(session, "\n".join(seen).encode(), by=user, name="rak-1.txt")
    say(f"Stocktake in progress at {branch.name}: {len(seen):,} of {len(codes):,} copies scanned")


def _visits(options, members, branches, say) -> None:
    from visits import services as visits
    from visits.models import Purpose

    rng = random.Random(options.seed + 7)
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    guests = [
        "Ahmad Fauzi",
        "Nur Aini",
        "Yohanes Tandi",
        "Ketut Ari",
        "Maria Lestari",
        "Dimas Saputra",
    ]
    schools = ["SMA Negeri 1 Samarinda", "Universitas Mulawarman", "SMP Negeri 4 Samarinda", ""]
    total = 0
    for days_ago in range(7, 0, -1):
        day = today - dt.timedelta(days=days_ago)
        for branch in branches[:2]:
            for _ in range(rng.randint(15, 40)):
                at = dt.datetime.combine(
                    day, dt.time(rng.randint(8, 15), rng.randint(0, 59)), tzinfo=zone
                )
                if rng.random() < 0.7:
                    member = rng.choice(members)
                    visits.record_member_visit(member.number, branch=branch, at=at)
                else:
                    visits.record_guest_visit(
                        name=rng.choice(guests),
                        institution=rng.choice(schools),
                        purpose=rng.choice(Purpose.values),
                        branch=branch,
                        at=at,
                    )
                total += 1
    say(f"Visitor log: {total:,} visits over the past week")


register_step(40, "circulation", build_circulation)
