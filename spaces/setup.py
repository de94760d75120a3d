"""Setting up spaces (staff): add and change spaces and their photos, equipment, and the booking
rules, with the rules text a booker will see previewed before a rule is saved.

Every function checks the acting user's permission (`spaces.add_space`, `change_space`,
`add_equipment`, `change_equipment`, `add_bookingrule`, `change_bookingrule`,
`delete_bookingrule`: the programme coordinator and the head of library) and writes an audit
entry with what changed. A space or a piece of equipment is never deleted (its bookings are
history); it is taken out of use, which is refused while bookings or blocks lie ahead of it.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import audit
from core.permissions import require
from spaces import errors, policies
from spaces.models import Booking, BookingRule, Equipment, Space, SpacePhoto
from spaces.states import ACTIVE_STATES

audit.register_actions(
    {
        "space.create": gettext_lazy("Added a space"),
        "space.update": gettext_lazy("Changed a space"),
        "space.photo_add": gettext_lazy("Added a photo of a space"),
        "space.photo_remove": gettext_lazy("Removed a photo of a space"),
        "equipment.create": gettext_lazy("Added bookable equipment"),
        "equipment.update": gettext_lazy("Changed bookable equipment"),
        "booking_rule.create": gettext_lazy("Added a booking rule"),
        "booking_rule.update": gettext_lazy("Changed a booking rule"),
        "booking_rule.delete": gettext_lazy("Removed a booking rule"),
    }
)

# A rule being written has no primary key yet; it counts as the newest rule (it will be).
UNSAVED_RULE_PK = 2**62


def _diff(instance: Any, changes: dict[str, Any]) -> dict[str, list[str]]:
    diff = {}
    for name, value in changes.items():
        old = getattr(instance, name)
        if old != value:
            diff[name] = [str(old), str(value)]
    return diff


def _upcoming(field: str, resource: Space | Equipment) -> int:
    return Booking.objects.filter(
        **{field: resource}, state__in=ACTIVE_STATES, ends_at__gt=timezone.now()
    ).count()


# ---------------------------------------------------------------------------------------------
# Spaces


@transaction.atomic
def create_space(
    data: dict[str, Any], *, by, photo: ContentFile | None = None, caption: str = ""
) -> Space:
    require(by, "spaces.add_space")
    space = Space(**data)
    space.full_clean()
    space.save()
    audit.record("space.create", actor=by, subject=space, details={"branch": space.branch.code})
    if photo is not None:
        _add_photo(space, photo, caption, by=by)
    return space


@transaction.atomic
def update_space(space: Space, changes: dict[str, Any], *, by) -> Space:
    """Change a space. Taking it out of use (`is_active=False`) is refused while bookings or
    blocks lie ahead (StillBookedError); stop new bookings with `is_bookable=False` first."""
    require(by, "spaces.change_space")
    return _update(Space.objects.select_for_update().get(pk=space.pk), "space", changes, by=by)


def _update(resource, kind: str, changes: dict[str, Any], *, by):
    """Apply `changes` to a locked space or piece of equipment (`kind`), audited with the diff."""
    if changes.get("is_active") is False and resource.is_active:
        count = _upcoming(kind, resource)
        if count:
            raise errors.StillBookedError(name=resource.name, count=count)
    diff = _diff(resource, changes)
    for name, value in changes.items():
        setattr(resource, name, value)
    resource.full_clean()
    resource.save()
    if diff:
        audit.record(f"{kind}.update", actor=by, subject=resource, details={"changed": diff})
    return resource


def _add_photo(space: Space, photo: ContentFile, caption: str, *, by) -> SpacePhoto:
    last = space.photos.aggregate(last=Max("position"))["last"]
    item = SpacePhoto(space=space, caption=caption, position=(last or 0) + 1)
    item.image.save(f"space-{space.pk}-{secrets.token_hex(4)}.jpg", photo, save=False)
    name = item.image.name
    try:
        item.full_clean()
        item.save()
    except Exception:
        item.image.storage.delete(name)
        raise
    audit.record(
        "space.photo_add", actor=by, subject=space, details={"photo": item.pk, "file": name}
    )
    return item


@transaction.atomic
def add_photo(space: Space, photo: ContentFile, caption: str, *, by) -> SpacePhoto:
    """Store a prepared photo (`spaces.photos.prepare_photo`) with its description."""
    require(by, "spaces.change_space")
    return _add_photo(space, photo, caption, by=by)


@transaction.atomic
def remove_photo(photo: SpacePhoto, *, by) -> None:
    require(by, "spaces.change_space")
    space, name, storage = photo.space, photo.image.name, photo.image.storage
    audit.record(
        "space.photo_remove",
        actor=by,
        subject=space,
        details={"photo": photo.pk, "caption": photo.caption},
    )
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------------------------------------
# Equipment


@transaction.atomic
def create_equipment(data: dict[str, Any], *, by) -> Equipment:
    require(by, "spaces.add_equipment")
    equipment = Equipment(**data)
    equipment.full_clean()
    equipment.save()
    audit.record(
        "equipment.create", actor=by, subject=equipment, details={"branch": equipment.branch.code}
    )
    return equipment


@transaction.atomic
def update_equipment(equipment: Equipment, changes: dict[str, Any], *, by) -> Equipment:
    require(by, "spaces.change_equipment")
    return _update(
        Equipment.objects.select_for_update().get(pk=equipment.pk), "equipment", changes, by=by
    )


# ---------------------------------------------------------------------------------------------
# Booking rules


def _candidate(data: dict[str, Any], rule: BookingRule | None) -> BookingRule:
    candidate = BookingRule(**{**_rule_values(rule), **data})
    candidate.pk = rule.pk if rule is not None else UNSAVED_RULE_PK
    return candidate


def _rule_values(rule: BookingRule | None) -> dict[str, Any]:
    if rule is None:
        return {}
    names = ["name", "space", "space_kind", "member_category", *policies.FIELDS]
    return {name: getattr(rule, name) for name in names}


def rules_in_force(data: dict[str, Any], *, rule: BookingRule | None = None) -> policies.Rules:
    """The rules a booker would get where this rule applies (its space, or a space of its kind,
    or any space; its member category or none) if the rule were saved with `data`."""
    candidate = _candidate(data, rule)
    others = [r for r in BookingRule.objects.all() if r.pk != candidate.pk]
    place = candidate.space or Space(kind=candidate.space_kind or "")
    return policies.resolve_rules(place, candidate.member_category, rules=[*others, candidate])


def preview_rule(data: dict[str, Any], *, rule: BookingRule | None = None) -> list[str]:
    """The sentences the booker would read before booking, with this rule saved as `data`."""
    candidate = _candidate(data, rule)
    capacity = candidate.space.capacity if candidate.space else None
    return policies.describe(rules_in_force(data, rule=rule), capacity=capacity)


def check_rule(data: dict[str, Any], *, rule: BookingRule | None = None) -> None:
    """InvalidRuleError (naming the field) for a rule that cannot work where it applies."""
    candidate = _candidate(data, rule)
    if candidate.space is not None and candidate.space_kind:
        raise errors.InvalidRuleError(
            gettext_lazy("Choose one space or one kind of space, not both."), field="space_kind"
        )
    problems = policies.check_rules(rules_in_force(data, rule=rule))
    if problems:
        field, sentence = problems[0]
        raise errors.InvalidRuleError(sentence, field=field)


@transaction.atomic
def create_rule(data: dict[str, Any], *, by) -> BookingRule:
    require(by, "spaces.add_bookingrule")
    check_rule(data)
    rule = BookingRule(**data)
    rule.full_clean()
    rule.save()
    audit.record(
        "booking_rule.create",
        actor=by,
        subject=rule,
        details={"values": {k: str(v) for k, v in data.items() if v not in (None, "")}},
    )
    return rule


@transaction.atomic
def update_rule(rule: BookingRule, changes: dict[str, Any], *, by) -> BookingRule:
    """Change a rule. Bookings already made keep the rules they were made under (copied onto
    each booking); the change applies to new bookings."""
    require(by, "spaces.change_bookingrule")
    rule = BookingRule.objects.select_for_update().get(pk=rule.pk)
    check_rule(changes, rule=rule)
    diff = _diff(rule, changes)
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    if diff:
        audit.record("booking_rule.update", actor=by, subject=rule, details={"changed": diff})
    return rule


@transaction.atomic
def delete_rule(rule: BookingRule, *, by) -> None:
    require(by, "spaces.delete_bookingrule")
    values = {
        name: str(value) for name, value in _rule_values(rule).items() if value not in (None, "")
    }
    audit.record("booking_rule.delete", actor=by, subject=rule, details={"values": values})
    rule.delete()
