"""Photos in a round-up's intro, as its email shows them.

Mail clients take a plain <img> with its width in an attribute: they drop srcset, sizes and
style sheets, and Outlook's desktop versions show no WebP and ignore max-width. So each figure
becomes a JPEG, made on first use from the photo's largest variant at twice the column's width
(sharp on high-density screens), shown 600 pixels wide, its caption and credit a paragraph below.
Its address is on SITE_URL, never on a request's host. The plain-text part says in words what
each photo shows.
"""

from html import escape

from flask import current_app
from PIL import Image

from rsflask import mail
from rsflask.inline_photos import ATTRIBUTE, FIGURE, FIGURE_DIGEST, written_snippets
from rsflask.models import Photo
from rsflask.photos import photo_folder, save_whole

# The email's column (templates/email/_layout.html).
SHOWN_WIDTH = 600
FILE_WIDTH = 2 * SHOWN_WIDTH
IMG_STYLE = "display:block;max-width:100%;height:auto;border:0"
FIGURE_STYLE = "margin:20px 0;"
CAPTION_STYLE = "margin:6px 0 0;font:13px/1.45 Arial,Helvetica,sans-serif;color:#5b574f;"
CREDIT_STYLE = "color:#7a766d;"


def file_size(photo: Photo) -> tuple[int, int]:
    """The email's JPEG: FILE_WIDTH wide, or the largest variant's width if less."""
    width = min(FILE_WIDTH, photo.widths[-1])
    return width, max(1, round(photo.height * width / photo.width))


def file_name(photo: Photo) -> str:
    """Named by the photo's digest and the size, as its link preview is (and served alike)."""
    width, height = file_size(photo)
    return f"{photo.digest}-{width}x{height}.jpg"


def add_missing_file(photo: Photo) -> None:
    """Make the photo's email JPEG unless it is there."""
    path = photo_folder() / file_name(photo)
    if path.exists():
        return
    with Image.open(photo_folder() / photo.filename(photo.widths[-1])) as image:
        if image.mode in ("RGBA", "LA", "PA"):
            # JPEG has no transparency: what shows through is white, as in the email.
            white = Image.new("RGBA", image.size, "white")
            image = Image.alpha_composite(white, image.convert("RGBA"))
        picture = image.convert("RGB").resize(file_size(photo), Image.Resampling.LANCZOS)
    save_whole(picture, path, "JPEG", quality=85, optimize=True, progressive=True)


def email_html(html: str, photos: list[Photo]) -> str:
    """A round-up's intro (markup.py's HTML) with each figure made over for mail clients; one
    whose photo file cannot be read is left out, as readers could not see it anyway."""
    by_digest = {photo.digest: photo for photo in photos}

    def email_figure(match) -> str:
        attributes = dict(ATTRIBUTE.findall(match[1]))
        digest = FIGURE_DIGEST.search(attributes.get("src", ""))
        photo = by_digest.get(digest[1]) if digest else None
        if photo is None:
            return ""
        try:
            add_missing_file(photo)
        except OSError as error:
            current_app.logger.warning("No email image for photo %s: %s", photo.id, error)
            return ""
        width = min(SHOWN_WIDTH, photo.width)
        height = max(1, round(photo.height * width / photo.width))
        src = mail.external_url("reader.photo", name=file_name(photo))
        # The alt text and caption are as inline_photos.figure escaped them.
        img = (
            f'<img src="{escape(src)}" width="{width}" height="{height}"'
            f' alt="{attributes.get("alt", "")}" style="{IMG_STYLE}">'
        )
        words = (match[2] or "").replace('<span class="credit">', f'<span style="{CREDIT_STYLE}">')
        caption = f'<p style="{CAPTION_STYLE}">{words}</p>' if words else ""
        return f'<div style="{FIGURE_STYLE}">{img}{caption}</div>'

    return FIGURE.sub(email_figure, html)


def email_text(text: str, photos: list[Photo]) -> str:
    """A round-up's intro (its Markdown) with each photo snippet on a line of its own said in
    words: "[Photo: alt — Caption. Photo: credit]"; one whose photo is gone is left out."""
    lines = text.split("\n")
    ids = {str(photo.id) for photo in photos}
    for written in written_snippets(text):
        if not written.alone or not written.match["address"].startswith("photo:"):
            continue
        if written.match["address"].removeprefix("photo:") not in ids:
            lines[written.line] = ""
            continue
        words = f"Photo: {written.alt}" if written.alt.strip() else "Photo"
        if written.caption:
            words += f" — {written.caption}"
        if written.credit:
            words = f"{words.rstrip('.')}. Photo: {written.credit}"
        lines[written.line] = f"[{words}]"
    return "\n".join(lines)
