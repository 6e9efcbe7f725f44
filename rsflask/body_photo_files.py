"""Photos inside a body, as files beside an exported article or page.

Export writes each photo that the body shows into a photos/ folder beside the .md file and points
its snippet there: `![alt](photos/slug-1.jpg "Caption | Credit")`. Import reads such a snippet's
file (a path relative to the .md file, never leaving its folder), checks it as any upload, stores
it in the photo library and points the snippet back at it: `![alt](photo:12 "...")`.

A file that export wrote is the photo's full-size copy, not the bytes first uploaded, so its
digest is not the photo's: import knows it by its content (photo_of_file), and an export imported
again shows the same photos, stored once.
"""

import io
import re
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import urlsplit

from PIL import ExifTags, Image

from rsflask.db import db
from rsflask.inline_photos import SCHEME, written_snippets
from rsflask.models import Photo
from rsflask.photos import PhotoError, find_photo, full_size_file, open_image, store_photo

FOLDER = "photos"
PHOTO_ID = re.compile(r"photo:(\d{1,18})")
# An absolute path on any system: /x, \x, C:\x or C:/x.
ABSOLUTE = re.compile(r"[/\\]|[A-Za-z]:[/\\]")


class BodyPhotoError(ValueError):
    """A photo the body names cannot be imported; the message names the line and why."""


class PhotoFile(NamedTuple):
    """A photo file a body names, read and checked, to be stored when its text is."""

    line: int  # the line's index in body.split("\n")
    start: int  # where its address is in the line
    end: int
    data: bytes
    alt: str
    credit: str


class BodyPhotos(NamedTuple):
    body: str  # without the snippets of photos that are not in the library
    files: list[PhotoFile]
    warnings: list[str]


def read_body_photos(folder: Path, body: str, first_line: int) -> BodyPhotos:
    """The photo files a body's snippets name, relative to `folder`, each read and checked to be
    an image; raises BodyPhotoError naming the line (the body's first is the file's
    `first_line`). A `photo:ID` snippet is kept if that photo is in the library, else left out
    with a warning."""
    lines = body.split("\n")
    files, warnings = [], []
    for written in written_snippets(body):
        # Only a snippet on a line of its own shows a photo (inline_photos.expand); an image
        # inside other text stays as written.
        if not written.alone:
            continue
        address = written.match["address"]
        where = f"line {first_line + written.line}"
        if found := PHOTO_ID.fullmatch(address):
            if db.session.get(Photo, int(found[1])) is None:
                lines[written.line] = ""
                warnings.append(f"{where}: photo {found[1]} is not in the photo library: left out")
            continue
        if urlsplit(address).scheme and not ABSOLUTE.match(address):
            continue
        data = read_photo_file(folder, address, where)
        start, end = written.match.span("address")
        files.append(PhotoFile(written.line, start, end, data, written.alt, written.credit))
    return BodyPhotos("\n".join(lines), files, warnings)


def read_photo_file(folder: Path, address: str, where: str) -> bytes:
    if ABSOLUTE.match(address):
        raise BodyPhotoError(
            f"{where}: the photo {address!r} is an absolute path: give its path from this "
            f"file's folder, such as {FOLDER}/name.jpg (an image on the web needs https://)"
        )
    path = folder / address
    leaves = ".." in PurePosixPath(address.replace("\\", "/")).parts
    if leaves or not path.resolve().is_relative_to(folder.resolve()):
        raise BodyPhotoError(
            f"{where}: the photo {address!r} is outside this file's folder: keep photos in it, "
            f"such as in {FOLDER}/"
        )
    try:
        data = path.read_bytes()
        open_image(data)
    except OSError as error:
        raise BodyPhotoError(f"{where}: photo {address!r} not found or unreadable") from error
    except PhotoError as error:
        raise BodyPhotoError(f"{where}: photo {address!r}: {error}") from error
    return data


def store_body_photos(body: str, files: list[PhotoFile]) -> str:
    """Store the photo files (or find them in the library) and point their snippets at them.
    The caller commits, or rolls back and removes the files of photos that were new."""
    lines = body.split("\n")
    for each in files:
        photo = photo_of_file(each.data) or store_photo(each.data, each.alt, each.credit)
        # As store_photo does for a photo stored before: the library's words, if it has none.
        photo.alt = photo.alt or each.alt.strip()
        photo.credit = photo.credit or each.credit.strip()
        # The id, and a photo the next file may be found to be.
        db.session.flush()
        line = lines[each.line]
        lines[each.line] = f"{line[: each.start]}{SCHEME}{photo.id}{line[each.end :]}"
    return "\n".join(lines)


def photo_of_file(data: bytes) -> Photo | None:
    """The photo stored from these bytes, or whose full-size file (which export writes) they
    are: one of the photos of the same size whose file is the same, byte for byte."""
    if photo := find_photo(data):
        return photo
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if image.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8):
            width, height = height, width
    same_size = db.session.scalars(db.select(Photo).filter_by(width=width, height=height))
    for photo in same_size:
        path = full_size_file(photo)
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return photo
        except OSError:
            continue
    return None


def export_body_photos(body: str, slug: str, folder: Path, first_line: int) -> BodyPhotos:
    """The body with each photo it shows written into folder/photos/ (once, however often it
    shows) and its snippet pointing there; a snippet whose photo or file is gone stays as it
    is, with a warning naming its line (the body's first is the file's `first_line`)."""
    lines = body.split("\n")
    names: dict[int, str] = {}
    warnings = []
    for written in written_snippets(body):
        found = PHOTO_ID.fullmatch(written.match["address"])
        if not (written.alone and found):
            continue
        where = f"line {first_line + written.line}"
        photo = db.session.get(Photo, int(found[1]))
        if photo is None:
            warnings.append(f"{where}: photo {found[1]} is not in the photo library any more")
            continue
        if photo.id not in names:
            source = full_size_file(photo)
            try:
                data = source.read_bytes()
            except OSError:
                warnings.append(f"{where}: the file of photo {photo.id} is missing")
                continue
            name = f"{FOLDER}/{slug}-{len(names) + 1}{source.suffix}"
            (folder / FOLDER).mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
            names[photo.id] = name
        line, (start, end) = lines[written.line], written.match.span("address")
        lines[written.line] = f"{line[:start]}{names[photo.id]}{line[end:]}"
    return BodyPhotos("\n".join(lines), [], warnings)
