"""The hook through which the record page shows the hold queue.

Holds belong to circulation. The OPAC asks `hold_queue_length(record)`: the number of active
holds waiting for the record, or None when this installation has no holds (then the page says
nothing rather than showing a made-up number). It uses `circulation.selectors.hold_queue_length`
when the circulation app is installed.
"""

from __future__ import annotations

from django.apps import apps


def hold_queue_length(record) -> int | None:
    if not apps.is_installed("circulation"):
        return None
    try:
        from circulation.selectors import hold_queue_length as queue_length
    except ImportError:  # circulation without holds yet
        return None
    return queue_length(record.pk)


def hold_panel(request, record):
    """What the record page shows about placing a hold (circulation/opac_holds.py), or None
    when this installation has no circulation."""
    if not apps.is_installed("circulation"):
        return None
    from circulation.opac_holds import hold_panel as panel

    return panel(request, record)
