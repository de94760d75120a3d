from __future__ import annotations

from django.db import transaction


def item_saved(sender, instance, created, **kwargs) -> None:
    """A new copy: after commit, suggestions waiting for its record's ISBN are fulfilled."""
    if not created or kwargs.get("raw"):
        return
    record_id = instance.record_id

    def fulfil() -> None:
        from catalog.models import Record
        from participation.services import copy_catalogued

        record = Record.objects.filter(pk=record_id).first()
        if record is not None:
            copy_catalogued(record)

    transaction.on_commit(fulfil)
