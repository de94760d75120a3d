from __future__ import annotations

from django.core.management.base import CommandError

from surveys.models import Survey


def find_survey(name: str) -> Survey:
    """A survey by its public code, number or exact title."""
    survey = Survey.objects.filter(code=name).first()
    if survey is None and name.isdigit():
        survey = Survey.objects.filter(pk=int(name)).first()
    if survey is None:
        matches = list(Survey.objects.filter(title=name)[:2])
        if len(matches) > 1:
            raise CommandError(f"More than one survey is called {name!r}; give its code.")
        survey = matches[0] if matches else None
    if survey is None:
        raise CommandError(f"No survey {name!r}.")
    return survey
