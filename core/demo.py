"""The demo library: a believable Indonesian city library to try Pustaka on.

`pustaka demo` builds it; later capabilities add their part (records, loans, events …) by
registering a step with `register_step`. Sizes are parameters so that benchmarks can build a
library of a million records and a hundred thousand members.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

DEMO_PASSWORD = "pustaka-demo"

# Fixed TOTP secrets so that the README can list them; only for the demo library.
DEMO_TOTP_KEYS = {
    "kepala": "3132333435363738393031323334353637383930",
    "admin": "50757374616b612d64656d6f2d61646d696e2121",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    two_factor_key_hex: str | None = None


DEMO_LOGINS = [
    DemoLogin("kepala", "head", DEMO_TOTP_KEYS["kepala"]),
    DemoLogin("admin", "sysadmin", DEMO_TOTP_KEYS["admin"]),
    DemoLogin("pustakawan", "librarian"),
    DemoLogin("katalog", "cataloguer"),
    DemoLogin("program", "programme_coordinator"),
    DemoLogin("anggota", "member"),
]


@dataclass
class DemoOptions:
    members: int = 200
    seed: int = 2026
    out: object = None  # where progress goes (the command's stdout)
    extra: dict = field(default_factory=dict)


class Progress:
    """Prints 'what: done/total (percent) rate/s' at most a few times a second."""

    def __init__(self, what: str, total: int, out=None) -> None:
        self.what, self.total, self.out = what, total, out or sys.stdout
        self.started = self.last = time.monotonic()
        self.done = 0
        self.tty = hasattr(self.out, "isatty") and self.out.isatty()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.last >= 0.5 or self.done >= self.total:
            self.last = now
            rate = self.done / max(now - self.started, 1e-6)
            percent = 100 * self.done / self.total if self.total else 100
            line = f"  {self.what}: {self.done:,}/{self.total:,} ({percent:.0f}%) {rate:,.0f}/s"
            end = "\r" if self.tty and self.done < self.total else "\n"
            if hasattr(self.out, "style_func"):  # a management command's OutputWrapper
                self.out.write(line, ending=end)
            else:
                self.out.write(line + end)
            self.out.flush()


Step = Callable[[DemoOptions, Callable[[str], None]], None]
_STEPS: list[tuple[int, str, Step]] = []


def register_step(order: int, name: str, step: Step) -> None:
    _STEPS.append((order, name, step))


def steps() -> list[tuple[int, str, Step]]:
    return sorted(_STEPS, key=lambda s: s[0])


# ---------------------------------------------------------------------------------------------
# The foundation's steps: library, branches and hours, closed days, staff, members.


def build_library(options: DemoOptions, say: Callable[[str], None]) -> None:
    from core.models import Branch, ClosedDay, ClosureKind, Library, OpeningPeriod

    library = Library.objects.filter(pk=Library.SINGLETON_PK).first() or Library()
    library.name = "Perpustakaan Umum Kota Samarinda"
    library.short_name = "Perpustakaan Samarinda"
    library.tagline = (
        "Membaca membuka jendela dunia: koleksi, kegiatan, dan ruang belajar untuk semua."
    )
    library.address = "Jl. Pahlawan No. 12, Kelurahan Dadi Mulya"
    library.city = "Kota Samarinda"
    library.province = "Kalimantan Timur"
    library.postal_code = "75123"
    library.phone = "(0541) 741 234"
    library.whatsapp = "0812 5500 1234"
    library.email = "layanan@perpustakaan.samarindakota.example"
    library.time_zone = "Asia/Makassar"
    library.save()

    t = dt.time
    branches = [
        (
            "pusat",
            "Perpustakaan Pusat",
            "Jl. Pahlawan No. 12, Samarinda Ulu",
            "(0541) 741 234",
            True,
            {
                **{d: [(t(8), t(16))] for d in range(4)},
                4: [(t(8), t(11, 30)), (t(13, 30), t(16, 30))],
                5: [(t(9), t(14))],
            },
        ),
        (
            "seberang",
            "Cabang Samarinda Seberang",
            "Jl. Bung Tomo No. 45, Samarinda Seberang",
            "(0541) 262 118",
            False,
            {**{d: [(t(8), t(15))] for d in range(5)}, 5: [(t(8), t(12))]},
        ),
        (
            "taman",
            "Pojok Baca Taman Samarendah",
            "Taman Samarendah, Jl. Bhayangkara, Samarinda Kota",
            "",
            False,
            {d: [(t(15), t(21))] for d in range(1, 7)},
        ),
    ]
    for position, (code, name, address, phone, is_main, hours) in enumerate(branches):
        branch, _created = Branch.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "address": address,
                "phone": phone,
                "is_main": is_main,
                "position": position,
            },
        )
        if not branch.opening_periods.exists():
            OpeningPeriod.objects.bulk_create(
                OpeningPeriod(branch=branch, weekday=day, opens_at=o, closes_at=c)
                for day, spans in hours.items()
                for o, c in spans
            )
    if not ClosedDay.objects.exists():
        year = timezone.localdate().year
        ClosedDay.objects.create(
            start_date=dt.date(year, 12, 31),
            end_date=dt.date(year, 12, 31),
            kind=ClosureKind.LOCAL_CLOSURE,
            reason="Tutup buku akhir tahun",
        )
        ClosedDay.objects.create(
            branch=Branch.objects.get(code="seberang"),
            start_date=dt.date(year + 1, 1, 12),
            end_date=dt.date(year + 1, 1, 14),
            kind=ClosureKind.LOCAL_CLOSURE,
            reason="Stock opname koleksi",
        )
    say(f"Library: {library.name}, {Branch.objects.count()} branches")


def build_staff(options: DemoOptions, say: Callable[[str], None]) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import create_user, set_roles

    names = {
        "kepala": ("Hj. Rahmawati", "Syahrani"),
        "admin": ("Andi", "Pratama"),
        "pustakawan": ("Siti", "Nurhaliza"),
        "katalog": ("Bambang", "Wicaksono"),
        "program": ("Dewi", "Lestari"),
        "anggota": ("Rizky", "Ramadhan"),
    }
    for login in DEMO_LOGINS:
        first, last = names[login.username]
        user = User.objects.filter(username=login.username).first()
        if user is None:
            user = create_user(
                login.username,
                password=DEMO_PASSWORD,
                roles={Role(login.role)},
                first_name=first,
                last_name=last,
                email=f"{login.username}@demo.pustaka.example",
                by=None,
            )
        else:
            set_roles(user, {Role(login.role)}, by=None)
        if login.two_factor_key_hex and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(
                user=user, name="demo", key=login.two_factor_key_hex, confirmed=True
            )
    say(f"Staff and member logins: {', '.join(login.username for login in DEMO_LOGINS)}")


CATEGORY_WEIGHTS = {
    "general": 40,
    "school_student": 25,
    "university_student": 18,
    "child": 8,
    "senior": 6,
    "institution": 3,
}
BATCH = 2000


def build_members(options: DemoOptions, say: Callable[[str], None]) -> None:
    from faker import Faker

    from accounts.models import User
    from core.models import Branch
    from patrons.models import Member
    from patrons.services import new_member_numbers

    fake = Faker("id_ID")
    fake.seed_instance(options.seed)
    rng = random.Random(options.seed)
    branches = list(Branch.objects.all())
    weights = [6, 3, 1][: len(branches)] or [1]
    today = timezone.localdate()

    demo_user = User.objects.filter(username="anggota").first()
    if demo_user is not None and not Member.objects.filter(user=demo_user).exists():
        Member.objects.create(
            user=demo_user,
            number=new_member_numbers()[0],
            full_name=demo_user.get_full_name(),
            gender="m",
            birth_date=dt.date(1998, 4, 17),
            email=demo_user.email,
            phone="0813 4700 2211",
            address="Jl. Juanda Gg. 7 No. 21, Air Hitam",
            city="Kota Samarinda",
            home_branch=branches[0] if branches else None,
            joined_on=today - dt.timedelta(days=400),
            expires_on=today + dt.timedelta(days=330),
        )

    total = options.members
    if total <= 0:
        return
    categories = list(CATEGORY_WEIGHTS)
    category_weights = list(CATEGORY_WEIGHTS.values())
    progress = Progress("members", total, options.out)
    created = 0
    while created < total:
        size = min(BATCH, total - created)
        numbers = new_member_numbers(size)
        rows = []
        for number in numbers:
            category = rng.choices(categories, category_weights)[0]
            gender = rng.choice("fm")
            if category == "institution":
                name = f"{rng.choice(['SD Negeri', 'SMP Negeri', 'SMA Negeri', 'MTs Negeri'])} {rng.randint(1, 40)} Samarinda"
                birth = None
                gender = ""
            else:
                name = fake.name_female() if gender == "f" else fake.name_male()
                age = {
                    "child": (6, 12),
                    "school_student": (12, 18),
                    "university_student": (18, 25),
                    "senior": (60, 85),
                }.get(category, (18, 60))
                birth = today - dt.timedelta(days=rng.randint(age[0] * 365, age[1] * 365))
            joined = today - dt.timedelta(days=rng.randint(0, 5 * 365))
            rows.append(
                Member(
                    number=number,
                    full_name=name[:150],
                    gender=gender,
                    birth_date=birth,
                    category_id=category,
                    email=fake.free_email() if rng.random() < 0.6 else "",
                    phone=fake.phone_number()[:30],
                    address=fake.street_address(),
                    city=rng.choice(["Kota Samarinda"] * 8 + ["Kabupaten Kutai Kartanegara"]),
                    home_branch=rng.choices(branches, weights)[0] if branches else None,
                    joined_on=joined,
                    expires_on=joined + dt.timedelta(days=rng.choice([365, 730, 1825])),
                    keep_reading_history=rng.random() < 0.3,
                )
            )
        with transaction.atomic():
            Member.objects.bulk_create(rows, batch_size=500)
        created += size
        progress.advance(size)
    say(f"Members: {Member.objects.count():,} in all")


register_step(10, "library", build_library)
register_step(20, "staff", build_staff)
register_step(30, "members", build_members)


def is_built() -> bool:
    from core.models import Branch

    return Branch.objects.exists()
