"""Photos in a round-up's intro: in the email a plain JPEG <img> 600 pixels wide on SITE_URL with
the caption below, in the plain text a line in words, on the archive page the site's figure."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import insert, select

from rsflask.db import db
from rsflask.models import Digest, Subscriber
from rsflask.newsletter.digest_email import edition
from rsflask.newsletter.email_photos import file_name
from rsflask.photos import store_photo
from tests.editor_helpers import image_bytes

IMG_STYLE = 'style="display:block;max-width:100%;height:auto;border:0"'


@pytest.fixture
def photo(app):
    stored = store_photo(image_bytes(size=(1800, 1200)), "A harbour crane", "")
    db.session.commit()
    return stored


def round_up(add_article, *photos, caption: str = "The port at six | Ines Varga") -> Digest:
    """A draft round-up of one article, its intro showing each photo."""
    snippets = "\n\n".join(f'![Cranes at dawn](photo:{p.id} "{caption}")' for p in photos)
    article = add_article("Harbour news")
    draft = Digest(
        subject="Our pick", intro_md=f"Hello.\n\n{snippets}\n\nRead on.", articles=[article]
    )
    db.session.add(draft)
    db.session.commit()
    return draft


def send_to_one(runner) -> None:
    db.session.execute(insert(Subscriber), [{"email": "reader@example.org", "status": "confirmed"}])
    db.session.commit()
    result = runner.invoke(args=["digest", "send", "--rate", "0"])
    assert result.exit_code == 0, result.output


def img_tags(html: str) -> list[str]:
    return re.findall(r'<img src="[^"]*/photos/[0-9a-f]{32}-[^"]*"[^>]*>', html)


def test_the_sent_email_shows_the_photo_as_a_jpeg_600_pixels_wide_on_the_site_url(
    app, client, runner, mail_server, add_article, photo
):
    round_up(add_article, photo)
    send_to_one(runner)
    [message] = mail_server.messages
    html = message.get_body(("html",)).get_content()
    name = f"{photo.digest}-1200x800.jpg"
    assert file_name(photo) == name
    [img] = img_tags(html)
    assert img == (
        f'<img src="http://localhost/photos/{name}" width="600" height="400"'
        f' alt="Cranes at dawn" {IMG_STYLE}>'
    )
    assert "srcset" not in html and "sizes=" not in html and "loading=" not in html
    assert ".webp" not in html and "<figure" not in html
    assert re.search(
        r'<p style="[^"]*">The port at six <span style="[^"]*">Photo: Ines Varga</span></p>', html
    )
    with Image.open(Path(app.config["PHOTO_FOLDER"]) / name) as jpeg:
        assert (jpeg.format, jpeg.size) == ("JPEG", (1200, 800))
    served = client.get(f"/photos/{name}")
    assert served.status_code == 200 and served.content_type == "image/jpeg"
    assert served.data == (Path(app.config["PHOTO_FOLDER"]) / name).read_bytes()


def test_the_plain_text_says_what_each_photo_shows(runner, mail_server, add_article, photo):
    round_up(add_article, photo)
    send_to_one(runner)
    # Mail lines end in CRLF.
    text = mail_server.messages[0].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert (
        "Hello.\n\n[Photo: Cranes at dawn — The port at six. Photo: Ines Varga]\n\nRead on." in text
    )
    assert "photo:" not in text


@pytest.mark.parametrize(
    ("caption", "line"),
    [
        ("", "[Photo: Cranes at dawn]"),
        ("The port at six.", "[Photo: Cranes at dawn — The port at six.]"),
        ("| Ines Varga", "[Photo: Cranes at dawn. Photo: Ines Varga]"),
    ],
)
def test_the_plain_text_line_has_only_the_words_the_snippet_gives(
    app, add_article, photo, caption, line
):
    copy = edition(round_up(add_article, photo, caption=caption))
    assert f"\n{line}\n" in copy.text


def test_a_photo_narrower_than_the_column_keeps_its_width_and_a_transparent_one_gets_white(
    app, add_article
):
    picture = Image.new("RGBA", (500, 250), (0, 0, 0, 0))
    picture.paste((200, 30, 30, 255), (0, 0, 250, 250))
    data = io.BytesIO()
    picture.save(data, "PNG")
    narrow = store_photo(data.getvalue(), "A red half", "")
    db.session.commit()
    copy = edition(round_up(add_article, narrow))
    name = f"{narrow.digest}-500x250.jpg"
    [img] = img_tags(copy.html)
    assert f'src="http://localhost/photos/{name}" width="500" height="250"' in img
    with Image.open(Path(app.config["PHOTO_FOLDER"]) / name) as jpeg:
        assert (jpeg.format, jpeg.size) == ("JPEG", (500, 250))
        assert jpeg.convert("RGB").getpixel((400, 100)) == (255, 255, 255)


def test_the_email_addresses_photos_on_site_url_never_on_the_requests_host(app, add_article, photo):
    app.config["SITE_URL"] = "https://news.example.org/review"
    draft = round_up(add_article, photo)
    with app.test_request_context("/", base_url="http://attacker.example"):
        copy = edition(draft)
    [img] = img_tags(copy.html)
    assert f'src="https://news.example.org/review/photos/{photo.digest}-1200x800.jpg"' in img
    assert "attacker.example" not in copy.html


def test_the_email_jpeg_is_made_once(app, add_article, photo):
    draft = round_up(add_article, photo)
    edition(draft)
    path = Path(app.config["PHOTO_FOLDER"]) / file_name(photo)
    made = path.stat().st_mtime_ns
    edition(draft)
    assert path.stat().st_mtime_ns == made


def test_a_photo_whose_files_are_gone_is_left_out_of_the_email(app, add_article, photo):
    draft = round_up(add_article, photo)
    for path in Path(app.config["PHOTO_FOLDER"]).glob(f"{photo.digest}-*"):
        path.unlink()
    copy = edition(draft)
    assert img_tags(copy.html) == [] and "The port at six" not in copy.html
    assert "<p>Hello.</p>" in copy.html and "<p>Read on.</p>" in copy.html


def test_the_archive_page_shows_the_sites_figure(client, runner, mail_server, add_article, photo):
    round_up(add_article, photo)
    send_to_one(runner)
    sent = db.session.scalar(select(Digest))
    page = client.get(f"/newsletter/archive/{sent.id}").get_data(as_text=True)
    [figure] = re.findall(r'<figure class="inline-photo">.*?</figure>', page)
    assert f"/photos/{photo.digest}-480.webp 480w" in figure
    assert 'sizes="(min-width: 42rem) 40rem, 100vw"' in figure
    assert '<span class="credit">Photo: Ines Varga</span>' in figure
    assert "1200x800.jpg" not in page
