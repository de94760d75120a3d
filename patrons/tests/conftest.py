"""Fixtures for the member tests: staff of each kind, categories, a photo, a member factory."""

from __future__ import annotations

import datetime as dt
import io

import pytest


@pytest.fixture
def librarian(make_user, library, member_categories):
    return make_user("siti", roles={"librarian"})


@pytest.fixture
def head(make_user, library, member_categories):
    return make_user("kepala", roles={"head"}, totp=True)


@pytest.fixture
def branch(library):
    from core.models import Branch

    return Branch.objects.get(code="pusat")


def jpeg_bytes(size=(1200, 1600), color=(180, 90, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def photo_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    def factory(name="foto.jpg", content=None, content_type="image/jpeg"):
        content = jpeg_bytes() if content is None else content
        return SimpleUploadedFile(name, content, content_type=content_type)

    return factory


@pytest.fixture
def make_member(librarian, branch):
    """make_member("Ani", category="child", ...) registered at the desk through the service."""
    from patrons.services import register_member

    def factory(name="Ani Wulandari", **values):
        data = {
            "full_name": name,
            "category": "general",
            "birth_date": dt.date(1999, 1, 15),
            "home_branch": branch,
            **values,
        }
        return register_member(data, by=librarian)

    return factory


@pytest.fixture
def record(library):
    from catalog.records import ParsedRecord
    from catalog.services import save_parsed_record

    return save_parsed_record(ParsedRecord(title="Laskar pelangi", year=2005)).record


@pytest.fixture
def make_item(record, branch):
    from catalog.models import Item

    counter = iter(range(1, 1000))

    def factory(**extra):
        return Item.objects.create(
            record=extra.pop("rec", record),
            barcode=f"P{next(counter):05d}",
            branch=branch,
            price=50000,
            **extra,
        )

    return factory
