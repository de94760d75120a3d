"""Member photos: whatever a phone camera or a scanner gives, made into a small JPEG.

The upload is refused (with a message saying why) when it is too big, not an image, or an image
too large to open safely. What is kept is at most 600 × 800 pixels, turned the right way up, and
without its metadata (a phone photo carries the place it was taken).
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from patrons.errors import InvalidPhotoError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel photo opens; a decompression bomb does not
BOX = (600, 800)
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"})


def prepare_photo(upload) -> ContentFile:
    """A resized JPEG of the uploaded image, or InvalidPhotoError."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise InvalidPhotoError(
            problem=_("The photo is %(size)s MB; the most is %(max)s MB. Take a smaller photo.")
            % {"size": f"{size / 1024 / 1024:.1f}", "max": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    try:
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidPhotoError(
            problem=_("The file is not a photo (JPEG, PNG or WebP) or it is damaged.")
        ) from None
    if image_format not in ACCEPTED_FORMATS:
        raise InvalidPhotoError(
            problem=_("Photos in the format %(format)s are not accepted; use JPEG or PNG.")
            % {"format": image_format}
        )
    if width * height > MAX_PIXELS:
        raise InvalidPhotoError(
            problem=_("The photo is %(width)s × %(height)s pixels, too large to open.")
            % {"width": width, "height": height}
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail(BOX, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise InvalidPhotoError(
            problem=_("The photo could not be read; it may be damaged.")
        ) from None
    return ContentFile(out.getvalue(), name="photo.jpg")
