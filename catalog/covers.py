"""Cover images: an uploaded JPEG, PNG or WebP becomes a resized cover (at most 600 px high)
and a JPEG thumbnail of at most 20 KB, stored in `record.cover` and `record.cover_thumbnail`.

`make_cover_images` is pure (bytes in, bytes out); `set_cover` and `remove_cover` are the
services. Pustaka never fetches covers from the network: a cover is what staff upload.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from catalog.errors import CoverTooLargeError, InvalidCoverError
from catalog.models import Record
from catalog.signals import announce
from core.permissions import require

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
ACCEPTED_CONTENT_TYPES = "image/jpeg,image/png,image/webp"
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 8000 x 5000 scan; more is refused before decoding
COVER_MAX_HEIGHT = 600
COVER_MAX_WIDTH = 900
COVER_QUALITY = 85
THUMBNAIL_MAX_BYTES = 20 * 1024
THUMBNAIL_HEIGHT = 240  # twice the ~120 px a result list shows, for sharp phone screens
THUMBNAIL_QUALITIES = (80, 70, 60, 50, 40, 30)
THUMBNAIL_SHRINK = 0.8
THUMBNAIL_MIN_HEIGHT = 40


@dataclass(frozen=True)
class CoverImages:
    cover: bytes  # JPEG
    thumbnail: bytes  # JPEG, at most THUMBNAIL_MAX_BYTES
    width: int
    height: int


def _read(uploaded) -> bytes:
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _too_large()
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(MAX_UPLOAD_BYTES + 1) if hasattr(uploaded, "read") else bytes(uploaded)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large()
    return data


def _too_large() -> CoverTooLargeError:
    return CoverTooLargeError(
        limit=MAX_UPLOAD_BYTES // (1024 * 1024), pixels=MAX_PIXELS // 1_000_000
    )


def _open(data: bytes) -> Image.Image:
    """The image in `data`, checked to be a JPEG, PNG or WebP of sane size, upright, in RGB."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise InvalidCoverError()
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _too_large()
            probe.verify()  # checks the file's structure; the image must be reopened after
            image = Image.open(io.BytesIO(data))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise InvalidCoverError() from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_large() from error
    image = ImageOps.exif_transpose(image)
    return _to_rgb(image)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Transparent parts on white (a PNG with an alpha channel), CMYK and palettes to RGB."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _fit(image: Image.Image, max_width: int, max_height: int) -> Image.Image:
    if image.width <= max_width and image.height <= max_height:
        return image
    copy = image.copy()
    copy.thumbnail((max_width, max_height), Image.Resampling.LANCZOS)
    return copy


def make_thumbnail(image: Image.Image, *, max_bytes: int = THUMBNAIL_MAX_BYTES) -> bytes:
    """A JPEG of at most `max_bytes`: quality steps down first, then the size, until it fits."""
    height = min(THUMBNAIL_HEIGHT, image.height)
    while True:
        width = max(1, round(image.width * height / image.height))
        small = _fit(image, width, height)
        for quality in THUMBNAIL_QUALITIES:
            data = _jpeg(small, quality)
            if len(data) <= max_bytes:
                return data
        if height <= THUMBNAIL_MIN_HEIGHT:
            # A 40 px high JPEG at quality 30 is a few KB whatever the picture; this is a guard.
            return data
        height = max(THUMBNAIL_MIN_HEIGHT, int(height * THUMBNAIL_SHRINK))


def make_cover_images(uploaded) -> CoverImages:
    """The stored cover and thumbnail for an upload (a file object or bytes). Raises
    InvalidCoverError for anything but a JPEG, PNG or WebP image, CoverTooLargeError beyond
    MAX_UPLOAD_BYTES or MAX_PIXELS."""
    image = _open(_read(uploaded))
    cover = _fit(image, COVER_MAX_WIDTH, COVER_MAX_HEIGHT)
    return CoverImages(
        cover=_jpeg(cover, COVER_QUALITY),
        thumbnail=make_thumbnail(cover),
        width=cover.width,
        height=cover.height,
    )


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def set_cover(record: Record, uploaded, *, by) -> Record:
    """Store a new cover and thumbnail for `record`, replacing (and deleting) the old files."""
    require(by, "catalog.change_record")
    images = make_cover_images(uploaded)  # before any write: a bad file changes nothing
    token = secrets.token_hex(4)  # a new name each time, so browsers never show a stale cover
    cover_name = default_storage.save(
        f"covers/record-{record.pk}-{token}.jpg", ContentFile(images.cover)
    )
    thumbnail_name = default_storage.save(
        f"covers/thumbs/record-{record.pk}-{token}.jpg", ContentFile(images.thumbnail)
    )
    try:
        with transaction.atomic():
            locked = Record.objects.select_for_update().get(pk=record.pk)
            old = [locked.cover.name, locked.cover_thumbnail.name]
            locked.cover.name = cover_name
            locked.cover_thumbnail.name = thumbnail_name
            locked.save(update_fields=["cover", "cover_thumbnail", "updated_at"])
            transaction.on_commit(lambda: _delete_files(old))
            announce([locked.pk])
    except BaseException:
        _delete_files([cover_name, thumbnail_name])
        raise
    return locked


@transaction.atomic
def remove_cover(record: Record, *, by) -> Record:
    require(by, "catalog.change_record")
    locked = Record.objects.select_for_update().get(pk=record.pk)
    old = [locked.cover.name, locked.cover_thumbnail.name]
    locked.cover.name = ""
    locked.cover_thumbnail.name = ""
    locked.save(update_fields=["cover", "cover_thumbnail", "updated_at"])
    transaction.on_commit(lambda: _delete_files(old))
    announce([locked.pk])
    return locked
