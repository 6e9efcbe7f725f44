"""Photos: check that an upload really is an image, then store responsive WebP variants."""

import hashlib
import io
import warnings
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps

from rsflask.db import db
from rsflask.models import Photo

VARIANT_WIDTHS = (480, 800, 1200, 1600)
# MPO is how Pillow names a JPEG with more pictures after the first (many phone cameras add a
# depth map or a preview): the first picture is the photo, and the only one used.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
# Far above any camera's output, far below what would exhaust a small server's memory.
MAX_PIXELS = 50_000_000
# WebP cannot hold a picture with a longer side, and every stored file is WebP.
MAX_SIDE = 16_383


class PhotoError(ValueError):
    """The file is not an image we accept; the message says why, for the person who sent it."""


def photo_folder() -> Path:
    return Path(current_app.config["PHOTO_FOLDER"])


def open_image(data: bytes) -> Image.Image:
    """Decode the bytes fully, refusing anything that is not a sane JPEG, PNG or WebP."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError("Only JPEG, PNG and WebP photos are accepted.")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError("That image has too many pixels.")
            if max(image.size) > MAX_SIDE:
                raise PhotoError(f"That image is more than {MAX_SIDE:,} pixels wide or high.")
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoError("That image has too many pixels.") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoError("That file is not a JPEG, PNG or WebP image.") from error
    return image


def photo_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def find_photo(data: bytes) -> Photo | None:
    """The photo already stored from these bytes, if any."""
    return db.session.scalar(db.select(Photo).filter_by(digest=photo_digest(data)))


def store_photo(data: bytes) -> Photo:
    """Store an uploaded image once (by content hash) as WebP variants, without its metadata.

    A picture wider than the largest variant is also kept at its full size, so that an exported
    article takes the photo that was uploaded with it, not a smaller copy.
    """
    existing = find_photo(data)
    if existing:
        return existing
    # Turning by the EXIF orientation first, then re-encoding without EXIF, drops GPS and the rest.
    image = ImageOps.exif_transpose(open_image(data))
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB")
    # Smaller widths up to the largest, which is the original's when that is narrower: each once,
    # since a width listed twice makes the whole srcset invalid.
    largest = min(image.width, VARIANT_WIDTHS[-1])
    widths = [w for w in VARIANT_WIDTHS if w < largest] + [largest]
    folder = photo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    photo = Photo(
        digest=photo_digest(data),
        width=image.width,
        height=image.height,
        variant_widths=",".join(str(w) for w in widths),
    )
    for width in widths:
        height = round(image.height * width / image.width)
        variant = image.resize((width, height), Image.Resampling.LANCZOS)
        variant.save(folder / photo.filename(width), "WEBP", quality=80, method=4)
    if image.width > largest:
        image.save(folder / photo.filename(image.width), "WEBP", quality=90, method=4)
    db.session.add(photo)
    return photo


def full_size_file(photo: Photo) -> Path:
    """The photo at the size it was uploaded, or its largest variant if that is all there is.

    Photos stored before full-size copies were kept have only their variants.
    """
    full_size = photo_folder() / photo.filename(photo.width)
    return full_size if full_size.exists() else photo_folder() / photo.filename(photo.widths[-1])


def remove_photo_files(data: bytes) -> None:
    """Remove the files stored from these bytes, whose row was rolled back: nothing uses them."""
    for path in photo_folder().glob(f"{photo_digest(data)}-*.webp"):
        path.unlink()
