"""The default for `pustaka` and `./run`: the base settings, DEBUG off unless DJANGO_DEBUG."""

from config.settings.base import *  # noqa: F403
