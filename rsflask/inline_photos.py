"""Photos inside a body: the snippet an editor writes, and the <figure> readers get.

The snippet is plain Markdown, an image whose address names a photo of the library:

    ![What the photo shows](photo:12 "The caption | The credit")

Alt text in the brackets; in the quotes an optional caption, then after the last "|" an optional
credit. On a line of its own it becomes a figure with the photo's responsive variants; a photo
that does not exist, or a snippet inside a sentence, a list or a link, becomes nothing, and the
editor's preview says why (markup.Rendered.problems).

Like embeds, this runs after the sanitiser, on its output: the sanitiser lets `photo:` through
only as an <img src>, and the figure's markup (srcset, sizes, classes) is written here from the
photo's row, never copied from the text.
"""

import re
from collections.abc import Iterator
from html import escape, unescape
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app

from rsflask.db import db
from rsflask.models.photos import Photo
from rsflask.stored_html import top_level_ends

SCHEME = "photo:"
PHOTO_IMG = re.compile(r'<img\b[^>]*\bsrc="photo:(\d{1,18})"[^>]*>')
PHOTO_PARAGRAPH = re.compile(r'<p>\s*(<img\b[^>]*\bsrc="photo:\d{1,18}"[^>]*>)\s*</p>')
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
# An image written in Markdown as snippet() writes one: alt text with backslash escapes, the
# address, and the optional words in double quotes. Import, export and the round-up's plain text
# read snippets in the Markdown; an address may also be a file's path (body_photo_files.py).
SNIPPET = re.compile(
    r'!\[(?P<alt>(?:\\.|[^\\\]])*)\]\((?P<address>[^\s()<>"]+)'
    r'(?:\s+"(?P<title>(?:\\.|[^"\\])*)")?\s*\)'
)
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# figure()'s output, which the round-up's email makes over for mail clients.
FIGURE = re.compile(
    r'<figure class="inline-photo"><img ([^>]*)>(?:<figcaption>(.*?)</figcaption>)?</figure>'
)
FIGURE_DIGEST = re.compile(r"/([0-9a-f]{32})-[0-9]+\.webp$")
# Photo ids are 32-bit integers.
LARGEST_ID = 2**31 - 1
# A body photo is as wide as the text column (the site's --measure, 40rem) and the screen below.
SIZES = "(min-width: 42rem) 40rem, 100vw"
# A figure among the body's first blocks may be on the first screen: it loads at once.
EAGER_BLOCKS = 1


class Expanded(NamedTuple):
    html: str
    photos: list[Photo]
    problems: list[str]


def snippet(photo: Photo, alt: str, caption: str = "", credit: str = "") -> str:
    """The Markdown that puts `photo` in a body, with this alt text, caption and credit."""
    alt = re.sub(r"([\\\[\]])", r"\\\1", " ".join(alt.split()))
    caption, credit = " ".join(caption.split()), " ".join(credit.split())
    if credit:
        title = f"{caption} | {credit}" if caption else f"| {credit}"
    else:
        # A "|" in a caption would make what follows it the credit; a last "|" keeps it caption.
        title = f"{caption} |" if "|" in caption else caption
    # Python-Markdown ends a title at a quote of either kind before a ")", so that "The port
    # ('new') | Ines" would lose its photo: the ")" is escaped too.
    title = re.sub(r'([\\")])', r"\\\1", title)
    return f'![{alt}]({SCHEME}{photo.id} "{title}")' if title else f"![{alt}]({SCHEME}{photo.id})"


class Written(NamedTuple):
    """A snippet as found in Markdown text."""

    line: int  # its line's index in text.split("\n")
    match: re.Match  # in that line
    alt: str
    caption: str
    credit: str
    alone: bool  # on a line of its own, where it shows (on other lines it shows nothing)


def written_snippets(text: str) -> Iterator[Written]:
    """The snippets written in Markdown text, whatever their address, but for those in code:
    fenced, or indented as a code block (or a list's paragraph, where a photo does not show)."""
    fence = ""
    for number, line in enumerate(text.split("\n")):
        if opening := FENCE.match(line):
            marks = opening[1]
            if not fence:
                fence = marks
            elif marks[0] == fence[0] and len(marks) >= len(fence):
                fence = ""
            continue
        if fence or line.startswith(("    ", "\t")):
            continue
        for match in SNIPPET.finditer(line):
            caption, credit = caption_and_credit(unescape_markdown(match["title"] or ""))
            alt = unescape_markdown(match["alt"])
            yield Written(number, match, alt, caption, credit, line.strip() == match[0])


def unescape_markdown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def caption_and_credit(title: str) -> tuple[str, str]:
    """A snippet's quoted words split at their last "|": (caption, credit)."""
    if "|" not in title:
        return title.strip(), ""
    caption, credit = title.rsplit("|", 1)
    return caption.strip(), credit.strip()


def expand(html: str) -> Expanded:
    """Sanitised HTML with each photo snippet made a figure, or taken out with a reason."""
    if f'src="{SCHEME}' not in html:
        return Expanded(html, [], [])
    wanted = {int(found) for found in PHOTO_IMG.findall(html)}
    # No autoflush: the text is rendered while its article is being filled in, not yet whole.
    # A number past the id column's range names no photo, and PostgreSQL refuses to compare it.
    possible = [photo_id for photo_id in wanted if photo_id <= LARGEST_ID]
    with db.session.no_autoflush:
        found = db.session.scalars(db.select(Photo).where(Photo.id.in_(possible))).all()
    photos = {photo.id: photo for photo in found}
    problems = [
        f"Photo {photo_id} is not in the photo library (deleted, or a wrong number): "
        "readers will see nothing in its place."
        for photo_id in sorted(wanted - photos.keys())
    ]
    first_screen = top_level_ends(html)[:EAGER_BLOCKS]
    used: dict[int, Photo] = {}

    def figure_for(match: re.Match) -> str:
        attributes = dict(ATTRIBUTE.findall(match[1]))
        photo = photos.get(int(attributes["src"].removeprefix(SCHEME)))
        if photo is None:
            return ""
        used[photo.id] = photo
        alt = unescape(attributes.get("alt", ""))
        if not alt.strip():
            problems.append(f"Photo {photo.id} has no alt text: say what it shows in the [ ].")
        eager = bool(first_screen) and match.start() < first_screen[-1]
        caption, credit = caption_and_credit(unescape(attributes.get("title", "")))
        return figure(photo, alt, caption, credit, eager=eager)

    html = PHOTO_PARAGRAPH.sub(figure_for, html)
    stray = PHOTO_IMG.findall(html)
    if stray:
        problems.append(
            "A photo snippet works only on a line of its own, with an empty line before and "
            f"after it; {len(stray)} inside other text will not show."
        )
        html = PHOTO_IMG.sub("", html)
    return Expanded(html, list(used.values()), problems)


def figure(photo: Photo, alt: str, caption: str, credit: str, eager: bool = False) -> str:
    urls = [(photo_path(photo.filename(width)), width) for width in photo.widths]
    default = urls[1][0] if len(urls) > 2 else urls[-1][0]
    srcset = ", ".join(f"{url} {width}w" for url, width in urls)
    loading = "" if eager else ' loading="lazy"'
    img = (
        f'<img src="{escape(default)}" srcset="{escape(srcset)}" sizes="{SIZES}"'
        f' width="{photo.width}" height="{photo.height}" alt="{escape(alt)}"{loading}'
        ' decoding="async">'
    )
    words = escape(caption)
    if credit:
        words += f'{" " if caption else ""}<span class="credit">Photo: {escape(credit)}</span>'
    figcaption = f"<figcaption>{words}</figcaption>" if words else ""
    return f'<figure class="inline-photo">{img}{figcaption}</figure>'


def photo_path(name: str) -> str:
    """A photo file's path on the site, under SITE_URL's mount point: stored HTML is made when a
    text is saved, also by commands outside any request, and must not hold the host."""
    mount = urlsplit(current_app.config["SITE_URL"]).path or "/"
    return current_app.url_map.bind("", script_name=mount).build("reader.photo", {"name": name})
