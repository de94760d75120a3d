"""Keep cached reads in step with writes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.calendar import forget_calendars
from core.models import Branch, ClosedDay, Library, OpeningPeriod
from core.selectors import forget_branches, forget_library


@receiver(post_save, sender=Library)
@receiver(post_delete, sender=Library)
def library_changed(**kwargs) -> None:
    forget_library()
    forget_calendars()  # whether national and joint holidays close the branches


@receiver(post_save, sender=Branch)
@receiver(post_delete, sender=Branch)
@receiver(post_save, sender=OpeningPeriod)
@receiver(post_delete, sender=OpeningPeriod)
@receiver(post_save, sender=ClosedDay)
@receiver(post_delete, sender=ClosedDay)
def calendar_changed(**kwargs) -> None:
    forget_calendars()
    if kwargs.get("sender") is Branch:
        forget_branches()


def _activate_library_zone_for_task(**kwargs) -> None:
    from config.cli import activate_library_time_zone

    activate_library_time_zone()


try:  # tasks run in the library's time zone too, whichever worker runs them
    from django_tasks.signals import task_started

    task_started.connect(_activate_library_zone_for_task, dispatch_uid="core.task_time_zone")
except ImportError:  # pragma: no cover - django-tasks is a dependency
    pass
