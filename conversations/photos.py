"""A feedback photo: at most 5 MB, JPEG, PNG or WebP, kept as a JPEG of at most 1600 pixels a
side, turned the right way up and without its metadata (a phone photo carries its place)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000
BOX = (1600, 1600)
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})


class InvalidPhotoError(DomainError):
    code = "invalid_photo"
    message = _("The file is not a photo (JPEG, PNG or WebP) or it is damaged.")


def prepare_photo(upload) -> ContentFile:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise InvalidPhotoError(_("The photo is larger than 5 MB. Please send a smaller one."))
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidPhotoError() from None
    if image_format not in ACCEPTED_FORMATS or width * height > MAX_PIXELS:
        raise InvalidPhotoError()
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail(BOX, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=82, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise InvalidPhotoError() from None
    return ContentFile(out.getvalue(), name="photo.jpg")
