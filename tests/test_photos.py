"""Photos uploaded through the article form: what is accepted, what is refused, what is kept."""

import hashlib
import io
import re
from html import unescape
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from rsflask.db import db
from rsflask.models import Article, Photo
from rsflask.photos import MAX_PIXELS, share_name
from tests.editor_helpers import image_bytes, make_user, prepare_editor_tests, sign_in, upload

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def editor(client, add_article):
    make_user("editor@example.org")
    sign_in(client, "editor@example.org")
    return client


@pytest.fixture
def article(add_article) -> Article:
    return add_article("Harbour cranes", slug="harbour-cranes", body="Text about cranes.\n")


def send_photo(client, article: Article, data: bytes, filename: str = "photo.jpg", alt="Cranes"):
    """Save the article form with a photo chosen in the file field."""
    form = {
        "title": article.title,
        "slug": article.slug,
        "dek": "",
        "article_type": str(article.type_id),
        "section": str(article.section_id),
        "tags": "",
        "authors": "",
        "body": article.body_md,
        "photo": upload(data, filename),
        "photo_alt": alt,
        "photo_credit": "Staff photographer",
        "published_at": article.published_at.strftime("%Y-%m-%dT%H:%M"),
        "version": str(article.version),
        "save": "Save draft",
    }
    return client.post(f"/editor/articles/{article.id}", data=form)


def stored_files(app) -> list[Path]:
    folder = Path(app.config["PHOTO_FOLDER"])
    return sorted(folder.iterdir()) if folder.exists() else []


def photo_of(article: Article) -> Photo | None:
    db.session.expire_all()
    return db.session.get(Article, article.id).photo


def with_exif(kind: str = "JPEG", size=(1200, 800), **tags) -> bytes:
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[int(tag.removeprefix("tag_"), 16)] = value
    return image_bytes(kind, size, exif=exif)


# --- Accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "filename"),
    [
        ("JPEG", "harbour.jpg"),
        # A phone camera's JPEG with a second picture in it, which Pillow calls MPO.
        ("MPO", "harbour.jpg"),
        ("PNG", "harbour.png"),
        ("WEBP", "harbour.webp"),
    ],
)
def test_real_images_are_stored_as_webp_variants(app, editor, article, kind, filename):
    # An MPO of one picture is written as a plain JPEG: a phone's has a second one.
    second = {"save_all": True, "append_images": [Image.new("RGB", (200, 100))]}
    data = image_bytes(kind, (2000, 1000), **(second if kind == "MPO" else {}))
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == kind
    response = send_photo(editor, article, data, filename)
    assert response.status_code == 303
    photo = photo_of(article)
    assert (photo.width, photo.height) == (2000, 1000)
    widths = photo.widths
    assert len(widths) >= 3 and len(set(widths)) == len(widths)
    assert widths == sorted(widths) and max(widths) <= 2000
    # Named by the hash of what was uploaded, so a URL always means the same bytes.
    assert photo.digest == hashlib.sha256(data).hexdigest()[:32]
    names = [path.name for path in stored_files(app)]
    full_size = f"{photo.digest}-2000.jpg"
    share = f"{photo.digest}-1200x630.jpg"
    assert names == sorted(
        [*(f"{photo.digest}-{width}.webp" for width in widths), full_size, share]
    )
    for width in widths:
        with Image.open(Path(app.config["PHOTO_FOLDER"]) / photo.filename(width)) as variant:
            assert variant.format == "WEBP"
            assert variant.width == width
            assert abs(variant.height - width / 2) <= 1


def test_the_public_page_offers_every_variant_with_its_size(app, editor, article):
    send_photo(editor, article, image_bytes("JPEG", (2000, 1000)))
    photo = photo_of(article)
    page = editor.get("/articles/harbour-cranes").get_data(as_text=True)
    img = re.search(r'<img [^>]*srcset="[^"]*"[^>]*>', page).group(0)
    srcset = re.search(r'srcset="([^"]*)"', img).group(1)
    offered = [candidate.strip().split(" ") for candidate in srcset.split(",")]
    assert offered == [[f"/photos/{photo.filename(w)}", f"{w}w"] for w in photo.widths]
    assert re.search(r'\ssizes="[^"]+"', img)
    assert 'width="2000"' in img and 'height="1000"' in img
    assert 'alt="Cranes"' in img
    assert "Staff photographer" in page


def test_a_small_image_is_never_enlarged(app, editor, article):
    send_photo(editor, article, image_bytes("PNG", (300, 200)), "small.png")
    photo = photo_of(article)
    assert photo.widths == [300]
    with Image.open(Path(app.config["PHOTO_FOLDER"]) / photo.filename(300)) as variant:
        assert variant.size == (300, 200)


def test_the_same_image_twice_is_stored_once(app, editor, article, add_article):
    data = image_bytes("JPEG", (900, 600))
    send_photo(editor, article, data)
    other = add_article("Another harbour", slug="another-harbour")
    assert send_photo(editor, other, data).status_code == 303
    assert db.session.scalar(db.select(db.func.count(Photo.id))) == 1
    assert photo_of(other).id == photo_of(article).id


def test_photo_urls_may_be_cached_for_a_year(app, editor, article):
    send_photo(editor, article, image_bytes("JPEG", (900, 600)))
    photo = photo_of(article)
    response = editor.get(f"/photos/{photo.filename(photo.widths[0])}")
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.cache_control.max_age == 365 * 24 * 3600


def test_a_photo_wider_than_the_largest_variant_is_kept_at_full_size(app, editor, article):
    gps = {1: "N", 2: (1.0, 2.0, 3.0), 3: "E", 4: (4.0, 5.0, 6.0)}
    data = with_exif(size=(2400, 1200), tag_8825=gps, tag_010f="Camera maker")
    assert send_photo(editor, article, data).status_code == 303
    photo = photo_of(article)
    assert photo.widths == [480, 800, 1200, 1600]
    full_size = Path(app.config["PHOTO_FOLDER"]) / f"{photo.digest}-2400.jpg"
    with Image.open(full_size) as image:
        assert (image.format, image.size) == ("JPEG", (2400, 1200))
        assert not image.getexif()
        assert "exif" not in image.info and "xmp" not in image.info
    assert b"Camera maker" not in full_size.read_bytes()
    page = editor.get("/articles/harbour-cranes").get_data(as_text=True)
    assert f"{photo.digest}-2400" not in page


def test_a_transparent_photo_is_kept_at_full_size_with_its_transparency(app, editor, article):
    image = Image.new("RGBA", (2000, 1000), (200, 30, 30, 0))
    image.paste((30, 30, 200, 255), (0, 0, 1000, 1000))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    assert send_photo(editor, article, buffer.getvalue(), "logo.png").status_code == 303
    photo = photo_of(article)
    with Image.open(Path(app.config["PHOTO_FOLDER"]) / photo.filename(2000)) as full_size:
        assert (full_size.format, full_size.size, full_size.mode) == ("WEBP", (2000, 1000), "RGBA")
        assert full_size.getpixel((1500, 500))[3] == 0
    # A JPEG has no transparency: the link preview shows white through it, as the page does.
    with Image.open(Path(app.config["PHOTO_FOLDER"]) / share_name(photo)) as preview:
        assert preview.size == (1200, 630)
        assert all(channel > 245 for channel in preview.getpixel((1100, 315)))
        assert preview.getpixel((100, 315))[2] > 180


def test_a_photo_as_wide_as_the_largest_variant_is_stored_once(app, editor, article):
    send_photo(editor, article, image_bytes("JPEG", (1600, 800)))
    photo = photo_of(article)
    names = [path.name for path in stored_files(app)]
    assert names == sorted([*(photo.filename(width) for width in photo.widths), share_name(photo)])


@pytest.mark.parametrize(
    "name", ["nothing-here.webp", "..%2Fsecret_key", "%2E%2E%2Ftest.sqlite3", "a" * 300]
)
def test_unknown_photo_names_are_404(client, name):
    assert client.get(f"/photos/{name}").status_code == 404


# --- Metadata --------------------------------------------------------------------------------


def test_location_and_other_metadata_are_stripped(app, editor, article):
    gps = {1: "N", 2: (1.0, 2.0, 3.0), 3: "E", 4: (4.0, 5.0, 6.0)}
    data = with_exif(tag_8825=gps, tag_010f="Camera maker", tag_0110="Camera model")
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(GPS_IFD)
    assert send_photo(editor, article, data).status_code == 303
    files = stored_files(app)
    assert files
    for path in files:
        with Image.open(path) as variant:
            assert not variant.getexif()
            assert "exif" not in variant.info and "xmp" not in variant.info
        assert b"Camera maker" not in path.read_bytes()


def test_exif_orientation_is_applied(app, editor, article):
    # Stored sideways, as cameras do: 1200 wide, 800 high, "turn 90 degrees to show".
    data = with_exif(size=(1200, 800), tag_0112=6)
    assert send_photo(editor, article, data).status_code == 303
    photo = photo_of(article)
    assert (photo.width, photo.height) == (800, 1200)
    # The link preview is cut to its own shape: only its orientation tag matters.
    for path in stored_files(app):
        with Image.open(path) as variant:
            assert variant.height > variant.width or path.name == share_name(photo)
            assert ORIENTATION not in variant.getexif()


def test_a_turned_photo_keeps_its_orientation_as_its_full_size_copys_only_tag(app, editor, article):
    # A camera held upright: pixels stored 1800 wide and 2400 high, red in their top left
    # corner, and "turn 90 degrees clockwise to show", which puts the red top right.
    image = Image.new("RGB", (1800, 2400), (40, 90, 140))
    image.paste((230, 20, 20), (0, 0, 600, 600))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "Camera maker"
    exif[GPS_IFD] = {1: "N", 2: (1.0, 2.0, 3.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    assert send_photo(editor, article, buffer.getvalue()).status_code == 303
    photo = photo_of(article)
    assert (photo.width, photo.height) == (2400, 1800)
    folder = Path(app.config["PHOTO_FOLDER"])
    with Image.open(folder / photo.filename(480)) as variant:
        assert variant.size == (480, 360)
        assert variant.convert("RGB").getpixel((470, 10))[0] > 200
        assert variant.convert("RGB").getpixel((10, 10))[0] < 100
    full_size = folder / f"{photo.digest}-2400.jpg"
    with Image.open(full_size) as kept:
        assert dict(kept.getexif()) == {ORIENTATION: 6}
        assert ImageOps.exif_transpose(kept).size == (2400, 1800)
    assert b"Camera maker" not in full_size.read_bytes()


# --- Refused ---------------------------------------------------------------------------------


def svg() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<script>alert(1)</script><rect width="10" height="10"/></svg>'
    )


def pixel_bomb() -> bytes:
    """30000 x 30000 pixels that compress to a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, "PNG")
    return buffer.getvalue()


REFUSALS = {
    "text-named-jpg": (lambda: b"Just some words, not a picture.\n", "photo.jpg", "not a JPEG"),
    "svg": (svg, "drawing.svg", "not a JPEG"),
    "svg-named-png": (svg, "drawing.png", "not a JPEG"),
    "gif": (lambda: image_bytes("GIF", (200, 100)), "moving.gif", "Only JPEG, PNG and WebP"),
    "truncated-jpeg": (lambda: image_bytes("JPEG", (1200, 800))[:3000], "cut.jpg", "not a JPEG"),
    "empty": (lambda: b"", "empty.jpg", "not a JPEG"),
    "pixel-bomb": (pixel_bomb, "bomb.png", "too many pixels"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_files_that_are_not_acceptable_images_are_refused(app, editor, article, case):
    make, filename, message = REFUSALS[case]
    data = make()
    if case == "pixel-bomb":
        assert len(data) < 200_000
    response = send_photo(editor, article, data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="Harbour cranes"' in page
    assert stored_files(app) == []
    assert db.session.scalar(db.select(Photo)) is None
    assert photo_of(article) is None


def flat_png(mode: str, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("mode", "size"),
    [("1", (8000, 8000)), ("L", (8000, 8000)), ("1", (6325, 6325)), ("1", (16_000, 4000))],
    ids=["64M-bilevel", "64M-grey", "just-over-40M", "64M-wide"],
)
def test_images_only_the_apps_own_pixel_limit_refuses(app, editor, article, mode, size):
    """Between MAX_PIXELS and Pillow's own limit, only the app's guard stands in the way."""
    pixels = size[0] * size[1]
    assert MAX_PIXELS["PNG"] < pixels < Image.MAX_IMAGE_PIXELS
    data = flat_png(mode, size)
    assert len(data) < 200_000
    response = send_photo(editor, article, data, "big.png")
    assert response.status_code == 422
    assert "That image has too many pixels:" in response.get_data(as_text=True)
    assert stored_files(app) == []
    assert db.session.scalar(db.select(Photo)) is None


def test_a_png_just_over_24_megapixels_is_refused(app, editor, article):
    """A flat PNG holds all its pixels in a few kilobytes: 25 megapixels are more than a request
    worker may decode for one upload."""
    response = send_photo(editor, article, flat_png("RGB", (5000, 5000)), "poster.png")
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert "5,000 by 5,000 is 25.0 megapixels" in page
    assert stored_files(app) == []


def test_a_6k_screenshot_is_taken(app, editor, article):
    response = send_photo(editor, article, flat_png("RGB", (6016, 3384)), "screen.png")
    assert response.status_code == 303
    assert db.session.get(Article, article.id).photo.width == 6016


def test_a_png_over_the_pixel_limit_is_refused_before_it_is_decoded(app, editor, article):
    """A few kilobytes that decode into 49 megapixels: seconds and half a gigabyte, once."""
    data = flat_png("RGB", (7000, 7000))
    assert len(data) < 200_000
    response = send_photo(editor, article, data, "poster.png")
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert "That image has too many pixels: 7,000 by 7,000 is 49.0 megapixels." in page
    assert "24 for a PNG" in page
    assert 'value="Harbour cranes"' in page
    assert stored_files(app) == []
    assert db.session.scalar(db.select(Photo)) is None


@pytest.mark.parametrize(
    "size", [(16_383, 1), (1, 16_383), (2100, 100)], ids=["line", "column", "strip"]
)
def test_an_image_too_long_and_thin_for_a_photo_is_refused(app, editor, article, size):
    response = send_photo(editor, article, image_bytes("PNG", size), "line.png")
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert f"That image is {size[0]:,} by {size[1]:,} pixels: too long and thin" in page
    assert "at most 20 times the other" in page
    assert stored_files(app) == []
    assert photo_of(article) is None


def test_a_panorama_is_stored_with_variants_at_least_a_pixel_high(app, editor, article):
    assert (
        send_photo(editor, article, image_bytes("JPEG", (4000, 200)), "pano.jpg").status_code == 303
    )
    photo = photo_of(article)
    assert (photo.width, photo.height) == (4000, 200)
    for width in photo.widths:
        with Image.open(Path(app.config["PHOTO_FOLDER"]) / photo.filename(width)) as variant:
            assert variant.size == (width, round(200 * width / 4000))


def test_a_50_megapixel_camera_photo_is_stored(app, editor, article):
    """The size of a high-resolution full-frame camera's JPEG: 8,688 by 5,792 pixels."""
    data = image_bytes("JPEG", (8688, 5792))
    assert send_photo(editor, article, data, "DSC01234.JPG").status_code == 303
    photo = photo_of(article)
    assert (photo.width, photo.height) == (8688, 5792)
    assert photo.widths == [480, 800, 1200, 1600]
    with Image.open(Path(app.config["PHOTO_FOLDER"]) / f"{photo.digest}-8688.jpg") as full_size:
        assert full_size.size == (8688, 5792)


@pytest.mark.parametrize("size", [(17_000, 10), (10, 17_000)], ids=["wide", "tall"])
def test_a_photo_longer_than_webp_allows_is_refused(app, editor, article, size):
    response = send_photo(editor, article, image_bytes("PNG", size), "long.png")
    assert response.status_code == 422
    assert "more than 16,383 pixels wide or high" in response.get_data(as_text=True)
    assert stored_files(app) == []
    assert photo_of(article) is None


def test_an_upload_over_the_size_limit_is_413(app, editor, article):
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    data = image_bytes("PNG", (1200, 800)) + b"\0" * 30_000
    response = send_photo(editor, article, data, "large.png")
    assert response.status_code == 413
    assert "larger than we accept" in response.get_data(as_text=True)
    assert stored_files(app) == []
    assert photo_of(article) is None


# --- Link previews of photos stored before they were made ---------------------------------------


def test_make_share_images_makes_the_previews_that_are_missing(app, editor, article, runner):
    send_photo(editor, article, image_bytes("JPEG", (2400, 1200)))
    photo = photo_of(article)
    folder = Path(app.config["PHOTO_FOLDER"])
    # As an older version left it: variants and a full-size WebP, no preview.
    (folder / share_name(photo)).unlink()
    with Image.open(folder / f"{photo.digest}-2400.jpg") as full_size:
        full_size.save(folder / photo.filename(2400), "WEBP")
    (folder / f"{photo.digest}-2400.jpg").unlink()

    result = runner.invoke(args=["make-share-images"])
    assert result.exit_code == 0, result.output
    assert "Made 1 link previews for 1 photos." in result.output
    with Image.open(folder / share_name(photo)) as preview:
        assert (preview.format, preview.size) == ("JPEG", (1200, 630))
    response = editor.get(f"/photos/{share_name(photo)}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"

    again = runner.invoke(args=["make-share-images"])
    assert "Made 0 link previews for 1 photos." in again.output


def test_make_share_images_names_a_photo_whose_files_are_gone(app, editor, article, runner):
    send_photo(editor, article, image_bytes("JPEG", (900, 600)))
    photo = photo_of(article)
    for path in stored_files(app):
        path.unlink()
    result = runner.invoke(args=["make-share-images"])
    assert result.exit_code != 0
    assert photo.digest in result.output
