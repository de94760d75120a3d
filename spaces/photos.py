"""A photo of a space: JPEG, PNG or WebP up to 8 MB, kept as a JPEG of at most 1600 × 1200
pixels, turned the right way up and without its metadata (a phone photo carries its place).
The same treatment as feedback photos (conversations/photos.py) and covers (catalog/covers.py):
pages stay light on a phone."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from spaces.errors import InvalidPhotoError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 50_000_000
BOX = (1600, 1200)
QUALITY = 82
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})
ACCEPTED_CONTENT_TYPES = "image/jpeg,image/png,image/webp"


def prepare_photo(upload) -> ContentFile:
    """The stored JPEG for an upload; InvalidPhotoError for anything else or too large."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise InvalidPhotoError(_("The photo is larger than 8 MB. Please choose a smaller one."))
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
            picture = ImageOps.exif_transpose(image)
            if picture.mode in ("RGBA", "LA") or (
                picture.mode == "P" and "transparency" in picture.info
            ):
                rgba = picture.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                picture = flat
            picture = picture.convert("RGB")
            picture.thumbnail(BOX, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=QUALITY, optimize=True, progressive=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise InvalidPhotoError() from None
    return ContentFile(out.getvalue(), name="photo.jpg")
