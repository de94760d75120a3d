from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.signals import copies_changing, records_changed
        from search.indexer import follow_catalogue, queue_copies_update

        records_changed.connect(follow_catalogue, dispatch_uid="search.follow_catalogue")
        copies_changing.connect(queue_copies_update, dispatch_uid="search.queue_copies_update")
