from __future__ import annotations

from django.db import transaction
from django.db.models import F

from core.models import Sequence


def reserve(name: str, count: int = 1) -> range:
    """Reserve `count` consecutive numbers of the sequence `name`; returns them as a range."""
    if count < 1:
        raise ValueError("count must be at least 1")
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name)
        Sequence.objects.filter(name=name).update(value=F("value") + count)
        last = Sequence.objects.select_for_update().get(name=name).value
    return range(last - count + 1, last + 1)
