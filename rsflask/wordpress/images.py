"""The images of a WordPress export: found in a copy of its uploads folder, or downloaded, then
stored as photos with the same checks as an upload.

An image in a post usually points at a size variant WordPress made ("harbour-dusk-1024x682.jpg");
the original is tried first (by the attachment it names, or by the name without the size), since
the site makes its own variants. Each address is read or downloaded once a run: a download is
kept in a temporary folder, a failure remembered with its reason.
"""

import hashlib
import re
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

from rsflask.db import db
from rsflask.models import Photo
from rsflask.photos import PhotoError, open_image, store_photo
from rsflask.wordpress.wxr import Attachment

UPLOADS = "/wp-content/uploads/"
SIZE_SUFFIX = re.compile(r"-\d{1,5}x\d{1,5}(?=\.\w{2,5}$)")
# Seconds a download may take, waiting or reading; a server that says nothing is given up.
FETCH_TIMEOUT = 20
USER_AGENT = "rsflask-import (a WordPress export's images, each fetched once)"


class ImageMissing(Exception):
    """Why an image could not be had, for the report."""


class Images:
    """Where this run takes images from: `uploads` (a folder), downloads (`fetch`), or neither."""

    def __init__(self, attachments: dict[int, Attachment], uploads: Path | None, fetch: bool):
        self.attachments = attachments
        self.by_file = {a.file: a for a in attachments.values() if a.file}
        self.uploads = uploads.resolve() if uploads is not None else None
        self.fetch = fetch
        self.failed: dict[str, str] = {}
        self.downloads = tempfile.TemporaryDirectory(prefix="rsflask-wordpress-") if fetch else None
        # What the item being imported could not have: (address, reason), taken by the importer.
        self.missing: list[tuple[str, str]] = []

    def close(self) -> None:
        if self.downloads is not None:
            self.downloads.cleanup()

    def photo_for(self, url: str, attachment_id: int | None, alt: str = "") -> Photo | None:
        """The photo of an image in a body, stored; None (and the reason noted) when it cannot
        be had."""
        attachment = self.attachments.get(attachment_id) if attachment_id else None
        attachment = attachment or self.by_file.get(upload_path(original(url)) or "")
        try:
            data = self.data_for(self.candidates(url, attachment))
            photo = store_photo(data, (alt or (attachment.alt if attachment else ""))[:500])
        except ImageMissing as missing:
            self.missing.append((url or "(no address)", str(missing)))
            return None
        # The snippet names the photo by its id.
        db.session.flush()
        return photo

    def featured(self, attachment_id: int) -> tuple[bytes, Attachment] | None:
        """The bytes of a featured image, checked, with its attachment; None when missing."""
        attachment = self.attachments.get(attachment_id)
        if attachment is None:
            self.missing.append((f"attachment {attachment_id}", "not in the export"))
            return None
        try:
            return self.data_for(self.candidates(attachment.url, attachment)), attachment
        except ImageMissing as missing:
            self.missing.append((attachment.url or f"attachment {attachment_id}", str(missing)))
            return None

    def candidates(self, url: str, attachment: Attachment | None) -> list[str]:
        found = [attachment.url] if attachment and attachment.url else []
        if attachment and attachment.file and self.uploads is not None:
            # Where the attachment's file is, whatever host its address names.
            found.append(UPLOADS + attachment.file)
        found += [original(url), url] if url else []
        return [each for each in dict.fromkeys(found) if each]

    def data_for(self, urls: list[str]) -> bytes:
        """The first of `urls` that gives an image the site accepts."""
        if not urls:
            raise ImageMissing("no address")
        reasons = []
        for url in urls:
            if url not in self.failed:
                try:
                    data = self.read(url)
                    open_image(data)
                    return data
                except (ImageMissing, PhotoError) as problem:
                    self.failed[url] = str(problem)
            reasons.append(self.failed[url])
        raise ImageMissing(reasons[-1] if len(set(reasons)) == 1 else "; ".join(reasons))

    def read(self, url: str) -> bytes:
        if self.uploads is not None:
            return self.from_uploads(url)
        if self.fetch:
            return self.download(url)
        raise ImageMissing("not looked for: give --fetch (or, for WordPress, --uploads)")

    def from_uploads(self, url: str) -> bytes:
        relative = upload_path(url)
        if relative is None:
            raise ImageMissing("not under wp-content/uploads/, so not in the uploads folder")
        path = (self.uploads / relative).resolve()
        if not path.is_relative_to(self.uploads) or not path.is_file():
            raise ImageMissing(f"not in the uploads folder ({relative})")
        return path.read_bytes()

    def download(self, url: str) -> bytes:
        kept = Path(self.downloads.name) / hashlib.sha256(url.encode()).hexdigest()
        if kept.exists():
            return kept.read_bytes()
        data = fetch(url, current_app.config["MAX_CONTENT_LENGTH"])
        kept.write_bytes(data)
        return data


def upload_path(url: str) -> str | None:
    """The image's path under the uploads folder, from its address; None if it is elsewhere."""
    path = unquote(urlsplit(url).path)
    if UPLOADS not in path:
        return None
    return path.split(UPLOADS, 1)[1].lstrip("/") or None


def original(url: str) -> str:
    """The address of the picture a size variant was made from."""
    parts = urlsplit(url)
    if UPLOADS not in parts.path:
        return url
    return parts._replace(path=SIZE_SUFFIX.sub("", parts.path)).geturl()


# Downloads over http and https only: a redirect to any other scheme finds no handler (Python's
# redirect handler itself refuses file: and data:, and follows ten redirects at most).
OPENER = urllib.request.OpenerDirector()
for handler in (
    urllib.request.ProxyHandler,
    urllib.request.HTTPHandler,
    urllib.request.HTTPSHandler,
    urllib.request.HTTPRedirectHandler,
    urllib.request.HTTPDefaultErrorHandler,
    urllib.request.HTTPErrorProcessor,
    urllib.request.UnknownHandler,
):
    OPENER.add_handler(handler())


def fetch(url: str, limit: int) -> bytes:
    """The body at `url` (http or https), at most `limit` bytes, within FETCH_TIMEOUT seconds."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ImageMissing("not an http or https address")
    deadline = time.monotonic() + FETCH_TIMEOUT
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with OPENER.open(request, timeout=FETCH_TIMEOUT) as response:
            if int(response.headers.get("Content-Length") or 0) > limit:
                raise ImageMissing(f"larger than {limit // 2**20} MB")
            chunks, size = [], 0
            while chunk := response.read(65536):
                size += len(chunk)
                if size > limit:
                    raise ImageMissing(f"larger than {limit // 2**20} MB")
                if time.monotonic() > deadline:
                    raise ImageMissing(f"took more than {FETCH_TIMEOUT} seconds to download")
                chunks.append(chunk)
            return b"".join(chunks)
    except urllib.error.HTTPError as error:
        raise ImageMissing(f"the server answered {error.code} {error.reason}") from error
    except TimeoutError as error:
        raise ImageMissing(f"no answer within {FETCH_TIMEOUT} seconds") from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise ImageMissing(f"no answer within {FETCH_TIMEOUT} seconds") from error
        raise ImageMissing(f"could not be downloaded: {reason}") from error
