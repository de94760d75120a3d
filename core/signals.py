"""Keep cached reads in step with writes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.models import Library
from core.selectors import forget_library


@receiver(post_save, sender=Library)
@receiver(post_delete, sender=Library)
def library_changed(**kwargs) -> None:
    forget_library()


def _activate_library_zone_for_task(**kwargs) -> None:
    from config.cli import activate_library_time_zone

    activate_library_time_zone()


try:  # tasks run in the library's time zone too, whichever worker runs them
    from django_tasks.signals import task_started

    task_started.connect(_activate_library_zone_for_task, dispatch_uid="core.task_time_zone")
except ImportError:  # pragma: no cover - django-tasks is a dependency
    pass
