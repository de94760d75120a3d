"""Circulation's fixtures (a library with a record, copies, members) for the account API tests."""

from circulation.tests.conftest import (  # noqa: F401 - fixtures
    branches,
    item,
    librarian,
    make_item,
    make_member,
    member,
    record,
)
