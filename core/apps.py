from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import navigation, signals  # noqa: F401

        navigation.register_core_links()
