"""A WordPress export's images: from a copy of the uploads folder, or downloaded from a server on
this machine's loopback, with the same checks as an upload."""

import shutil
import socket
from pathlib import Path

import pytest

from rsflask.db import db
from rsflask.models import Photo
from rsflask.wordpress import images
from rsflask.wordpress.images import Images
from rsflask.wordpress.wxr import Attachment
from tests.image_server import Handler, ImageServer


@pytest.fixture
def image_server():
    with ImageServer() as address:
        yield address


UPLOADS = Path(__file__).parent / "data" / "wordpress" / "uploads"
OLD = "https://old.example.org/wp-content/uploads"


def test_an_image_in_the_uploads_folder_is_stored_from_its_original_not_its_variant(app):
    source = Images({}, UPLOADS, fetch=False)
    photo = source.photo_for(f"{OLD}/2024/03/harbour-dusk-1024x682.jpg", None, "Cranes at dusk")
    assert (photo.width, photo.height) == (1280, 853)
    assert photo.alt == "Cranes at dusk"
    assert source.missing == []


def test_a_featured_image_is_found_by_its_attachments_file(app, tmp_path):
    attachment = Attachment(4, "https://cdn.example/x.jpg", file="2024/03/silos.jpg", alt="Silos")
    data, found = Images({4: attachment}, UPLOADS, fetch=False).featured(4)
    assert found is attachment
    assert data == (UPLOADS / "2024/03/silos.jpg").read_bytes()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"{OLD}/2024/04/round-table.jpg", "not in the uploads folder (2024/04/round-table.jpg)"),
        (f"{OLD}/../../secret.jpg", "not in the uploads folder (../../secret.jpg)"),
        ("https://elsewhere.example/photo.jpg", "not under wp-content/uploads/"),
    ],
)
def test_an_image_not_in_the_uploads_folder_is_missing_with_the_reason(app, url, reason):
    source = Images({}, UPLOADS, fetch=False)
    assert source.photo_for(url, None, "") is None
    [(missing_url, why)] = source.missing
    assert missing_url == url and why.startswith(reason)


def test_a_picture_the_photo_checks_refuse_is_missing(app, tmp_path):
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "notes.jpg").write_text("not a picture")
    source = Images({}, tmp_path, fetch=False)
    assert source.photo_for(f"{OLD}/2024/notes.jpg", None, "") is None
    assert source.missing == [
        (f"{OLD}/2024/notes.jpg", "That file is not a JPEG, PNG or WebP image.")
    ]


def test_without_uploads_or_fetch_no_image_is_looked_for(app):
    source = Images({}, None, fetch=False)
    assert source.photo_for(f"{OLD}/2024/03/silos.jpg", None, "") is None
    assert "not looked for: give --fetch (or, for WordPress, --uploads)" in source.missing[0][1]


def test_a_downloaded_image_is_fetched_once_and_stored_once(app, image_server):
    source = Images({}, None, fetch=True)
    first = source.photo_for(f"{image_server}/a.jpg", None, "One")
    db.session.flush()
    again = source.photo_for(f"{image_server}/a.jpg", None, "Two")
    source.close()
    assert first is again
    assert Handler.asked == ["/a.jpg"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Photo)) == 1


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/gone.jpg", "the server answered 404 Not Found"),
        ("/not-an-image.jpg", "That file is not a JPEG, PNG or WebP image."),
        ("/elsewhere", "the server answered 302 Found - Redirection to url 'file:///etc/passwd'"),
        ("/to-ftp", "could not be downloaded: unknown url type: ftp"),
        ("/slow", "no answer within 1 seconds"),
        ("/endless", "larger than 16 MB"),
    ],
)
def test_a_download_that_fails_is_missing_with_the_reason(
    app, image_server, monkeypatch, path, reason
):
    monkeypatch.setattr(images, "FETCH_TIMEOUT", 1)
    source = Images({}, None, fetch=True)
    assert source.photo_for(f"{image_server}{path}", None, "") is None
    [(url, why)] = source.missing
    assert url == f"{image_server}{path}" and why.startswith(reason)
    # A failure is remembered: the same address is not asked again.
    assert source.photo_for(f"{image_server}{path}", None, "") is None
    assert Handler.asked == [path]
    source.close()


def test_only_http_and_https_addresses_are_downloaded(app):
    source = Images({}, None, fetch=True)
    assert source.photo_for("ftp://old.example.org/a.jpg", None, "") is None
    assert source.missing == [("ftp://old.example.org/a.jpg", "not an http or https address")]
    source.close()


def test_a_server_that_refuses_the_connection_is_reported(app):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    source = Images({}, None, fetch=True)
    assert source.photo_for(f"http://127.0.0.1:{port}/a.jpg", None, "") is None
    assert source.missing[0][1].startswith("could not be downloaded")
    source.close()


def test_the_variant_is_used_when_the_original_is_gone(app, tmp_path):
    (tmp_path / "2024").mkdir()
    shutil.copy(UPLOADS / "2024/03/silos-300x225.jpg", tmp_path / "2024" / "silos-300x225.jpg")
    source = Images({}, tmp_path, fetch=False)
    photo = source.photo_for(f"{OLD}/2024/silos-300x225.jpg", None, "Silos")
    assert (photo.width, photo.height) == (300, 225)
