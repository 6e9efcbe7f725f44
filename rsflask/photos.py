"""Photos: check that an upload really is an image, then store responsive WebP variants."""

import hashlib
import io
import os
import tempfile
import warnings
from pathlib import Path

from flask import current_app
from PIL import ExifTags, Image, ImageOps

from rsflask.db import db
from rsflask.models import Photo

VARIANT_WIDTHS = (480, 800, 1200, 1600)
# MPO is how Pillow names a JPEG with more pictures after the first (many phone cameras add a
# depth map or a preview): the first picture is the photo, and the only one used.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
# Storing a photo holds it decoded in a request worker (bench/photos.py): a JPEG costs about 4.5
# bytes a pixel (a 61 MP camera's photo 280 MB, under 2 s), a PNG as much, a WebP 16. Cameras write
# JPEG; PNG and WebP are screenshots and graphics (a 6K screen's: 20 MP). A flat PNG of a few KB
# holds all its pixels: 24 MP cost 0.7 s and 134 MB, 40 MP 2.6 s and 204 MB.
MAX_PIXELS = {"JPEG": 64_000_000, "MPO": 64_000_000, "PNG": 24_000_000, "WEBP": 16_000_000}
# WebP cannot hold a picture with a longer side, and every variant is WebP.
MAX_SIDE = 16_383
# A longer, thinner image is a line or a strip, not a photo: its smallest variant would be a few
# pixels high (or wide), or none at all.
MAX_ASPECT_RATIO = 20
# How to turn the stored pixels to show them, by their EXIF orientation (as ImageOps.exif_transpose
# reads it); the last four also swap width and height.
TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Link previews (Open Graph, Twitter cards) are cut to this shape, and some crawlers read JPEG only.
SHARE_SIZE = (1200, 630)
# The publisher logo's longest side at most: search engines show it at a few dozen pixels.
LOGO_SIDE = 1024


class PhotoError(ValueError):
    """The file is not an image we accept; the message says why, for the person who sent it."""


def photo_folder() -> Path:
    return Path(current_app.config["PHOTO_FOLDER"])


def open_image(data: bytes) -> Image.Image:
    """Decode the bytes fully, refusing anything that is not a sane JPEG, PNG or WebP.

    The size is checked from the header, before a pixel is decoded.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            check_size(image)
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoError("That image has too many pixels.") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoError("That file is not a JPEG, PNG or WebP image.") from error
    return image


def check_size(image: Image.Image) -> None:
    """Refuse, by its header, an image too costly to decode or too odd in shape to show."""
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoError("Only JPEG, PNG and WebP photos are accepted.")
    width, height = image.size
    if width * height > MAX_PIXELS[image.format]:
        raise PhotoError(
            f"That image has too many pixels: {width:,} by {height:,} is "
            f"{width * height / 1e6:.1f} megapixels. The most accepted is "
            f"{MAX_PIXELS['JPEG'] // 10**6} megapixels for a JPEG photo, "
            f"{MAX_PIXELS['PNG'] // 10**6} for a PNG and {MAX_PIXELS['WEBP'] // 10**6} for a WebP."
        )
    if max(width, height) > MAX_SIDE:
        raise PhotoError(f"That image is more than {MAX_SIDE:,} pixels wide or high.")
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise PhotoError(
            f"That image is {width:,} by {height:,} pixels: too long and thin for a photo. "
            f"One side may be at most {MAX_ASPECT_RATIO} times the other."
        )


def photo_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def find_photo(data: bytes) -> Photo | None:
    """The photo already stored from these bytes, if any."""
    return db.session.scalar(db.select(Photo).filter_by(digest=photo_digest(data)))


def store_photo(data: bytes, alt: str | None = "", credit: str | None = "") -> Photo:
    """Store an uploaded image once (by content hash) as WebP variants, without its metadata.

    `alt` and `credit` become the photo library's, unless the photo already has its own.
    A picture wider than the largest variant is also kept at its full size, so that an exported
    article takes the photo that was uploaded with it, not a smaller copy. A JPEG cut to the shape
    of a link preview goes beside them.
    """
    existing = find_photo(data)
    if existing:
        existing.alt = existing.alt or (alt or "").strip()
        existing.credit = existing.credit or (credit or "").strip()
        return existing
    image = open_image(data)
    # Re-encoding without EXIF drops GPS and the rest. The orientation is applied to each variant
    # as it is made, and the full-size copy keeps it as its only tag: turning the whole picture
    # would hold a second copy of it, up to 250 MB for a camera's photo.
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    turn = TURNS.get(orientation)
    sideways = orientation in (5, 6, 7, 8)
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    width, height = (image.height, image.width) if sideways else image.size
    # Smaller widths up to the largest, which is the original's when that is narrower: each once,
    # since a width listed twice makes the whole srcset invalid.
    largest = min(width, VARIANT_WIDTHS[-1])
    widths = [w for w in VARIANT_WIDTHS if w < largest] + [largest]
    folder = photo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    photo = Photo(
        digest=photo_digest(data),
        width=width,
        height=height,
        variant_widths=",".join(str(w) for w in widths),
        alt=(alt or "").strip(),
        credit=(credit or "").strip(),
    )
    # Each variant is resampled from the next larger one: the full picture is read once.
    variant = image
    for variant_width in reversed(widths):
        size = (variant_width, round(height * variant_width / width))
        variant = variant.resize(size[::-1] if sideways else size, Image.Resampling.LANCZOS)
        shown = variant.transpose(turn) if turn else variant
        shown.save(folder / photo.filename(variant_width), "WEBP", quality=80, method=4)
        if variant_width == largest:
            save_share_image(photo, shown)
    if width > largest:
        kept = {"exif": orientation_only(orientation)} if turn else {}
        # A full-size WebP took seconds to encode (and libwebp can fail on large noisy ones);
        # a JPEG takes a tenth of a second. Only a picture with transparency needs WebP.
        if mode == "RGBA":
            image.save(folder / photo.filename(width), "WEBP", quality=90, method=4, **kept)
        else:
            image.save(folder / full_size_name(photo, ".jpg"), "JPEG", quality=90, **kept)
    db.session.add(photo)
    return photo


def orientation_only(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return exif


def full_size_name(photo: Photo, suffix: str) -> str:
    return f"{photo.digest}-{photo.width}{suffix}"


def full_size_file(photo: Photo) -> Path:
    """The photo at the size it was uploaded, or its largest variant if that is all there is.

    Full-size copies are JPEG, or WebP with transparency or when stored by older versions; photos
    stored before full-size copies were kept have only their variants.
    """
    for name in (full_size_name(photo, ".jpg"), full_size_name(photo, ".webp")):
        if (photo_folder() / name).exists():
            return photo_folder() / name
    return photo_folder() / photo.filename(photo.widths[-1])


def share_size(photo: Photo) -> tuple[int, int]:
    """The link preview's size: the largest variant cut to SHARE_SIZE's shape, never enlarged."""
    largest = photo.widths[-1]
    height = photo.height * largest / photo.width
    width = min(SHARE_SIZE[0], largest, round(height * SHARE_SIZE[0] / SHARE_SIZE[1]))
    return width, max(1, round(width * SHARE_SIZE[1] / SHARE_SIZE[0]))


def share_name(photo: Photo) -> str:
    """Named by its size too, so that a new SHARE_SIZE never hides behind a year-long cache."""
    width, height = share_size(photo)
    return f"{photo.digest}-{width}x{height}.jpg"


def save_share_image(photo: Photo, image: Image.Image) -> None:
    """Write the photo's link preview, cut from `image` (the photo at any size)."""
    if image.mode in ("RGBA", "LA", "PA"):
        # JPEG has no transparency: what shows through is white, as on the page.
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image.convert("RGBA"))
    card = ImageOps.fit(image.convert("RGB"), share_size(photo), Image.Resampling.LANCZOS)
    save_whole(card, photo_folder() / share_name(photo), "JPEG", quality=85, optimize=True)


def add_missing_share_image(photo: Photo) -> bool:
    """Make the link preview of a photo stored before they were made; True if one was made.

    Cut from the largest variant, which covers it (share_size), and costs a request no more
    than a page's photo does.
    """
    if (photo_folder() / share_name(photo)).exists():
        return False
    with Image.open(photo_folder() / photo.filename(photo.widths[-1])) as image:
        save_share_image(photo, image)
    return True


# The shapes search engines ask for in an article's structured data (Google: 1:1, 4:3, 16:9).
CROP_RATIOS = ((1, 1), (4, 3), (16, 9))


def crop_size(photo: Photo, ratio: tuple[int, int]) -> tuple[int, int]:
    """The largest variant cut to `ratio`, never enlarged."""
    largest = photo.widths[-1]
    height = photo.height * largest / photo.width
    width = min(largest, round(height * ratio[0] / ratio[1]))
    return width, max(1, round(width * ratio[1] / ratio[0]))


def crop_name(photo: Photo, ratio: tuple[int, int]) -> str:
    width, height = crop_size(photo, ratio)
    return f"{photo.digest}-{width}x{height}.jpg"


def add_missing_crops(photo: Photo) -> None:
    """Cut the photo's structured-data crops from its largest variant, where they are missing.

    Made when a page first asks for them, as previews are for photos stored before them; a
    16:9 crop of a 16:9 photo is its share preview's file, made once.
    """
    missing = [r for r in CROP_RATIOS if not (photo_folder() / crop_name(photo, r)).exists()]
    if not missing:
        return
    with Image.open(photo_folder() / photo.filename(photo.widths[-1])) as image:
        picture = image.convert("RGB")
        for ratio in missing:
            crop = ImageOps.fit(picture, crop_size(photo, ratio), Image.Resampling.LANCZOS)
            save_whole(crop, photo_folder() / crop_name(photo, ratio), "JPEG", quality=85)


def save_whole(image: Image.Image, path: Path, kind: str, **options) -> None:
    """Save beside `path` and rename: two requests writing the same file at once, or nginx
    serving it meanwhile, never meet half a file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            image.save(out, kind, **options)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store_logo(data: bytes) -> dict:
    """The Settings page's publisher logo: checked like a photo, kept as a PNG named by its
    content, at most LOGO_SIDE pixels a side (what search engines show is far smaller)."""
    image = open_image(data)
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA", "P") else "RGB")
    image.thumbnail((LOGO_SIDE, LOGO_SIDE), Image.Resampling.LANCZOS)
    name = f"logo-{photo_digest(data)}.png"
    photo_folder().mkdir(parents=True, exist_ok=True)
    save_whole(image, photo_folder() / name, "PNG", optimize=True)
    return {"name": name, "width": image.width, "height": image.height}


def store_default_share_image(data: bytes) -> dict:
    """The Settings page's link preview for pages without a photo: checked like a photo, cut to
    SHARE_SIZE as a JPEG named by its content."""
    image = ImageOps.exif_transpose(open_image(data))
    if image.mode in ("RGBA", "LA", "PA", "P"):
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image.convert("RGBA"))
    card = ImageOps.fit(image.convert("RGB"), SHARE_SIZE, Image.Resampling.LANCZOS)
    name = f"share-{photo_digest(data)}.jpg"
    photo_folder().mkdir(parents=True, exist_ok=True)
    save_whole(card, photo_folder() / name, "JPEG", quality=85, optimize=True)
    return {"name": name, "width": SHARE_SIZE[0], "height": SHARE_SIZE[1]}


def remove_photo_files(digest: str) -> None:
    """Remove every file of the photo with this digest (variants, full size, previews, crops),
    whose row was rolled back or deleted: nothing uses them."""
    for path in photo_folder().glob(f"{digest}-*"):
        path.unlink(missing_ok=True)
