from __future__ import annotations

import pytest


@pytest.fixture
def librarian(make_user, library):
    return make_user("siti", roles={"librarian"})


@pytest.fixture
def other_librarian(make_user, library):
    return make_user("budi", roles={"librarian"})


@pytest.fixture
def outsider(make_user, library):
    return make_user("kataloger", roles={"cataloguer"})


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(service, *args, **kwargs): call it and run its after-commit work (the e-mail)."""

    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


@pytest.fixture
def question(library, run):
    from conversations import services

    return run(
        services.ask,
        "Do you have books on Dayak weaving?",
        name="Rina",
        email="rina@example.org",
        page_url="/catalogue/",
        language="en",
    )
