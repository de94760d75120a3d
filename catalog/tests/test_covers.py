"""Covers: resized, a thumbnail of at most 20 KB however busy the picture, non-images refused,
old files removed."""

from __future__ import annotations

import io
import os
import random

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog.covers import (
    COVER_MAX_HEIGHT,
    THUMBNAIL_MAX_BYTES,
    make_cover_images,
    make_thumbnail,
    remove_cover,
    set_cover,
)
from catalog.errors import CoverTooLargeError, InvalidCoverError
from catalog.records import ParsedRecord
from catalog.services import create_record
from core.errors import PermissionDeniedError
from core.tests.test_views import signed_in

pytestmark = pytest.mark.django_db


def noise(width: int, height: int, *, mode: str = "RGB", seed: int = 1) -> Image.Image:
    """Random pixels: the worst case for JPEG, so the hardest thumbnail to fit in 20 KB."""
    rng = random.Random(seed)
    channels = len(mode)
    return Image.frombytes(mode, (width, height), rng.randbytes(width * height * channels))


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def upload(data: bytes, name: str = "cover.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


@pytest.fixture
def record(cataloguer):
    return create_record(ParsedRecord(title="Laskar pelangi"), by=cataloguer)


@pytest.mark.parametrize(
    ("fmt", "mode", "size"),
    [
        ("JPEG", "RGB", (1600, 2400)),
        ("PNG", "RGBA", (900, 1300)),
        ("WEBP", "RGB", (700, 1000)),
        ("PNG", "RGB", (3000, 200)),  # a wide banner
    ],
)
def test_cover_is_resized_and_thumbnail_fits_in_20_kb_even_for_noise(fmt, mode, size):
    images = make_cover_images(encoded(noise(*size, mode=mode), fmt))
    assert len(images.thumbnail) <= THUMBNAIL_MAX_BYTES
    cover = Image.open(io.BytesIO(images.cover))
    thumbnail = Image.open(io.BytesIO(images.thumbnail))
    assert cover.format == thumbnail.format == "JPEG"
    assert cover.height <= COVER_MAX_HEIGHT and cover.width <= 900
    assert thumbnail.height <= 240
    # Proportions kept (within rounding).
    assert abs(cover.width / cover.height - size[0] / size[1]) < 0.05 * size[0] / size[1] + 0.01


def test_thumbnail_steps_quality_and_size_down_until_it_fits():
    sharp = noise(160, 240)  # at thumbnail size already: nothing smooths it; 24 KB at quality 80
    assert len(encoded(sharp, "JPEG", quality=80)) > THUMBNAIL_MAX_BYTES
    fitted = make_thumbnail(sharp)
    assert len(fitted) <= THUMBNAIL_MAX_BYTES
    assert Image.open(io.BytesIO(fitted)).size == (160, 240)  # quality gave way, not size
    tight = make_thumbnail(sharp, max_bytes=8 * 1024)
    assert len(tight) <= 8 * 1024
    assert Image.open(io.BytesIO(tight)).height < 240  # then the size


def test_small_covers_are_not_enlarged():
    images = make_cover_images(encoded(noise(120, 180), "PNG"))
    assert Image.open(io.BytesIO(images.cover)).size == (120, 180)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4 not a picture",
        b"",
        b"GIF89a" + b"\x00" * 100,
        encoded(noise(50, 50), "GIF"),  # a real image, but not a format we take
        encoded(noise(300, 300), "JPEG")[:200],  # a truncated JPEG
    ],
    ids=["pdf", "empty", "fake-gif", "gif", "truncated-jpeg"],
)
def test_anything_but_a_jpeg_png_or_webp_is_refused(data):
    with pytest.raises(InvalidCoverError):
        make_cover_images(data)


def test_oversized_uploads_are_refused_before_decoding(monkeypatch):
    monkeypatch.setattr("catalog.covers.MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(CoverTooLargeError):
        make_cover_images(upload(encoded(noise(200, 200), "PNG")))
    monkeypatch.setattr("catalog.covers.MAX_UPLOAD_BYTES", 8 * 1024 * 1024)
    monkeypatch.setattr("catalog.covers.MAX_PIXELS", 100 * 100)
    with pytest.raises(CoverTooLargeError):
        make_cover_images(encoded(Image.new("RGB", (200, 200)), "PNG"))


def test_set_cover_stores_both_files_and_removes_the_old_ones(
    record, cataloguer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        set_cover(record, upload(encoded(noise(800, 1200), "JPEG")), by=cataloguer)
    record.refresh_from_db()
    first = (record.cover.name, record.cover_thumbnail.name)
    assert first[0].startswith("covers/record-") and first[1].startswith("covers/thumbs/")
    assert all(default_storage.exists(name) for name in first)
    assert default_storage.size(first[1]) <= THUMBNAIL_MAX_BYTES

    with django_capture_on_commit_callbacks(execute=True):
        set_cover(record, upload(encoded(noise(400, 600, seed=2), "PNG"), "c.png"), by=cataloguer)
    record.refresh_from_db()
    assert record.cover.name != first[0]
    assert default_storage.exists(record.cover.name)
    assert not any(default_storage.exists(name) for name in first)

    with django_capture_on_commit_callbacks(execute=True):
        remove_cover(record, by=cataloguer)
    record.refresh_from_db()
    assert not record.cover and not record.cover_thumbnail


def test_a_bad_file_changes_nothing(record, cataloguer):
    files_before = _media_files()
    with pytest.raises(InvalidCoverError):
        set_cover(record, upload(b"not an image", "x.jpg"), by=cataloguer)
    record.refresh_from_db()
    assert not record.cover
    assert _media_files() == files_before


def test_a_librarian_may_not_change_covers(record, make_user):
    librarian = make_user("siti", roles={"librarian"})
    with pytest.raises(PermissionDeniedError):
        set_cover(record, upload(encoded(noise(100, 150), "JPEG")), by=librarian)
    record.refresh_from_db()
    assert not record.cover


def test_uploading_through_the_record_page(record, cataloguer):
    client = signed_in(cataloguer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("cataloguing:record-cover", args=[record.pk])
    response = client.post(url, {"cover": upload(b"MZ\x90\x00 a program", "virus.jpg")})
    assert response.status_code == 400
    assert "must be a JPEG, PNG or WebP image" in response.content.decode()
    response = client.post(url, {"cover": upload(encoded(noise(300, 450), "WEBP"), "c.webp")})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.cover_thumbnail
    page = client.get(reverse("cataloguing:record-detail", args=[record.pk])).content.decode()
    assert record.cover.url in page


def _media_files() -> set[str]:
    found = set()
    for root, _dirs, names in os.walk(settings.MEDIA_ROOT):
        found.update(os.path.join(root, name) for name in names)
    return found
