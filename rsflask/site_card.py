"""Drawn link previews: the site's own card (its name and tagline), for pages, and an article's
(the site's name and the headline), for articles without a photo.

Drawn with Pillow (and the font Pillow carries), the site's the first time a page asks for it and
an article's the first time someone asks for the image, then kept in the photo folder under a
name that changes with the words on it, so that a renamed site or headline gets a new card
instead of a year-old cached one.
"""

import hashlib

from flask import abort, send_from_directory, url_for
from PIL import Image, ImageDraw, ImageFont

from rsflask import site_settings
from rsflask.db import db
from rsflask.models import Article, published
from rsflask.photos import SHARE_SIZE, photo_folder, save_whole
from rsflask.reader import bp
from rsflask.security import embeddable

BACKGROUND = (122, 31, 43)
INK = (255, 255, 255)
MUTED = (240, 214, 218)
MARGIN = 80
# Part of the file's name: change it with the drawing, so that browsers fetch the new card.
VERSION = "1"


def site_card_name() -> str:
    site = site_settings.current()
    text = "\n".join([site["name"], site["tagline"], VERSION])
    return f"site-{hashlib.sha256(text.encode()).hexdigest()[:16]}.jpg"


def site_card() -> dict:
    """The card's file name, size and alt text, drawing it first if it is not there yet."""
    name = site_card_name()
    path = photo_folder() / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        save_whole(draw_card(), path, "JPEG", quality=90)
    site = site_settings.current()
    return {
        "name": name,
        "width": SHARE_SIZE[0],
        "height": SHARE_SIZE[1],
        "alt": f"{site['name']}: {site['tagline']}" if site["tagline"] else site["name"],
    }


def headline_card_name(headline: str) -> str:
    site = site_settings.current()
    text = "\n".join([site["name"], headline, VERSION])
    return f"card-{hashlib.sha256(text.encode()).hexdigest()[:16]}.jpg"


def headline_card(article: Article) -> dict:
    """An article's card, the site's name over its headline, as link previews name it: drawn when
    it is first asked for (headline_card_image), not when the page is made, which a crawler
    reading the archive would make for every article without a photo (4 ms each)."""
    name = headline_card_name(article.title)
    return {
        "url": url_for("reader.headline_card_image", slug=article.slug, name=name, _external=True),
        "width": SHARE_SIZE[0],
        "height": SHARE_SIZE[1],
        "alt": article.title,
        "is_photo": False,
    }


@bp.get("/articles/<slug:slug>/<name>")
def headline_card_image(slug: str, name: str):
    """The card of a visible article's current headline, drawn into the photo folder the first
    time; any other name is a 404, so that no one can have cards drawn for words of their own."""
    article = db.session.scalar(published().where(Article.slug == slug))
    if article is None or name != headline_card_name(article.title):
        abort(404)
    path = photo_folder() / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        save_whole(
            draw_headline_card(site_settings.current()["name"], article.title),
            path,
            "JPEG",
            quality=90,
        )
    # Link cards on other sites show it.
    return embeddable(send_from_directory(photo_folder(), name, max_age=365 * 24 * 3600))


def blank_card() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    card = Image.new("RGB", SHARE_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(card)
    # The favicon's mark: a white chevron, as on the browser tab.
    chevron = [(MARGIN, 190), (MARGIN + 60, 106), (MARGIN + 120, 190)]
    draw.line(chevron, fill=INK, width=18, joint="curve")
    return card, draw


def draw_headline_card(site_name: str, headline: str) -> Image.Image:
    card, draw = blank_card()
    width = SHARE_SIZE[0] - 2 * MARGIN
    name_font, name_lines = fit(draw, site_name, width, 1, (40, 34, 28))
    draw.text((MARGIN + 150, 128), name_lines[0], font=name_font, fill=MUTED)
    headline_font, headline_lines = fit(draw, headline, width, 4, (72, 60, 52, 44))
    y = 250
    for line in headline_lines:
        draw.text((MARGIN, y), line, font=headline_font, fill=INK)
        y += round(headline_font.size * 1.2)
    return card


def draw_card() -> Image.Image:
    card, draw = blank_card()
    width = SHARE_SIZE[0] - 2 * MARGIN
    site = site_settings.current()
    name_font, name_lines = fit(draw, site["name"], width, 2, (96, 80, 64, 52))
    y = 250
    for line in name_lines:
        draw.text((MARGIN, y), line, font=name_font, fill=INK)
        y += round(name_font.size * 1.15)
    tagline_font, tagline_lines = fit(draw, site["tagline"], width, 2, (44, 38, 32, 28))
    y += 24
    for line in tagline_lines:
        draw.text((MARGIN, y), line, font=tagline_font, fill=MUTED)
        y += round(tagline_font.size * 1.25)
    return card


def fit(
    draw: ImageDraw.ImageDraw, text: str, width: int, most_lines: int, sizes: tuple[int, ...]
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest of `sizes` at which `text` wraps into `most_lines` lines; at the smallest, the
    last line ends in an ellipsis where the text goes on."""
    for size in sizes:
        font = ImageFont.load_default(size)
        lines = wrap(draw, text, font, width)
        if len(lines) <= most_lines:
            return font, lines
    words = " ".join(lines[most_lines - 1 :]).split()
    while len(words) > 1 and draw.textlength(" ".join(words) + "…", font=font) > width:
        words.pop()
    return font, [*lines[: most_lines - 1], " ".join(words) + "…"]


def wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
