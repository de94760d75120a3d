"""The staff navigation, built from what each signed-in user's roles allow.

Apps register their staff screens here from their AppConfig.ready(); a link shows only to users
holding its permission. Hiding a link is a courtesy: every view checks the permission itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Section:
    DAILY = _("Daily work")
    COLLECTION = _("Collection")
    PROGRAMMES = _("Programmes and community")
    ADMINISTRATION = _("Administration")

    ORDER = (DAILY, COLLECTION, PROGRAMMES, ADMINISTRATION)


@dataclass(frozen=True)
class StaffLink:
    key: str
    label: Promise | str
    url_name: str
    section: Promise | str
    permission: str | None = None
    description: Promise | str = ""
    order: int = 100
    # How many items wait there for staff (new questions, unanswered feedback …), shown on the
    # staff home; None: nothing to count.
    waiting: Callable[[], int] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_LINKS: dict[str, StaffLink] = {}


def register(*links: StaffLink) -> None:
    for link in links:
        _LINKS[link.key] = link


def staff_links_for(user) -> list[tuple[str, list[StaffLink]]]:
    """The sections and links this user may use, in display order."""
    if not getattr(user, "is_authenticated", False):
        return []
    allowed = [
        link
        for link in _LINKS.values()
        if link.permission is None or user.has_perm(link.permission)
    ]
    sections = []
    for section in Section.ORDER:
        in_section = sorted(
            (link for link in allowed if link.section == section),
            key=lambda item: (item.order, item.key),
        )
        if in_section:
            sections.append((str(section), in_section))
    return sections


WAITING_SECONDS = 60


def waiting_counts(sections) -> dict[str, int]:
    """link key -> items waiting, for the links of `sections` that count them (kept a minute in
    the cache, so the staff home costs no query per link for every visit)."""
    counts = {}
    for _section, links in sections:
        for link in links:
            if link.waiting is not None:
                counts[link.key] = cache.get_or_set(
                    f"staff:waiting:{link.key}", link.waiting, WAITING_SECONDS
                )
    return counts


def register_core_links() -> None:
    register(
        StaffLink(
            key="core.library",
            label=_("Library profile"),
            url_name="core:library-edit",
            section=Section.ADMINISTRATION,
            permission="core.change_library",
            description=_("Name, address, contact, logo and time zone."),
            order=10,
        ),
        StaffLink(
            key="core.branches",
            label=_("Branches and opening hours"),
            url_name="core:branch-list",
            section=Section.ADMINISTRATION,
            permission="core.change_branch",
            description=_("Branches, weekly hours, closed days and holidays."),
            order=20,
        ),
        StaffLink(
            key="core.audit",
            label=_("Audit log"),
            url_name="core:audit-log",
            section=Section.ADMINISTRATION,
            permission="core.view_auditentry",
            description=_("Who did what to whose data, and when."),
            order=90,
        ),
    )
