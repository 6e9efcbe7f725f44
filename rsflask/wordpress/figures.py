"""What becomes a figure of ours in a converted body: photos (inline_photos.py) and embeds
(embeds.py), each on a line of its own, as elements that bodies.Converter writes as the snippet
or the address."""

import re
from collections.abc import Callable

from bs4 import BeautifulSoup, NavigableString, Tag

from rsflask import inline_photos
from rsflask.embeds import PROVIDERS
from rsflask.models import Photo

# (address, attachment id, alt text) -> the stored photo, or None when it could not be had (the
# images module reports why).
PhotoFor = Callable[[str, int | None, str], Photo | None]
CONTAINERS = {"ul": "list", "ol": "list", "table": "table", "blockquote": "quote", "dl": "list"}


def ours(soup: BeautifulSoup, name: str, **attributes: str) -> Tag:
    return soup.new_tag(name, attrs=attributes)


def top_level(element: Tag) -> Tag:
    while element.parent is not None and element.parent.parent is not None:
        element = element.parent
    return element


def embeds(soup: BeautifulSoup, problems: list[str]) -> None:
    """Embed blocks, players from known providers and lone links become our embeds."""
    for figure in soup.find_all("figure", class_=re.compile(r"^wp-block-embed")):
        wrapper = figure.find(class_="wp-block-embed__wrapper") or figure
        url = wrapper.get_text(" ", strip=True).split(" ")[0]
        if url.startswith(("http://", "https://")):
            caption = figure.find("figcaption")
            placeholder = ours(soup, "wpembed", url=url)
            figure.replace_with(placeholder)
            if caption is not None and caption.get_text(strip=True):
                caption.name = "p"
                top_level(placeholder).insert_after(caption)
    for frame in soup.find_all("iframe", src=True):
        url = frame["src"].strip()
        if url.startswith("//"):
            url = "https:" + url
        if any(provider.url.fullmatch(url) for provider in PROVIDERS):
            placeholder = ours(soup, "wpembed", url=url)
            if frame.parent is soup:
                frame.replace_with(placeholder)
            else:
                top_level(frame).insert_after(placeholder)
                frame.decompose()
    for paragraph in soup.find_all("p", recursive=False):
        link = lone_link(paragraph)
        if link is not None:
            paragraph.replace_with(ours(soup, "wpembed", **link))


def lone_link(paragraph: Tag) -> dict[str, str] | None:
    """The address (and the title a link gives it) of a paragraph that is only that."""
    children = [c for c in paragraph.contents if not (isinstance(c, str) and not c.strip())]
    if len(children) != 1:
        return None
    only = children[0]
    if isinstance(only, NavigableString):
        text = only.strip()
        return {"url": text} if re.fullmatch(r"https?://[^\s<>\"]+", text) else None
    is_link = only.name == "a" and only.get("href", "").startswith(("http://", "https://"))
    if is_link and only.find(True) is None:
        title = only.get_text(" ", strip=True)
        href = only["href"].strip()
        return {"url": href} if title in ("", href) else {"url": href, "title": title}
    return None


def photos(soup: BeautifulSoup, photo_for: PhotoFor, problems: list[str]) -> None:
    """Each image becomes a photo snippet on a line of its own, with its caption: where it was,
    or after the paragraph, list or table that held it. One not found is left out."""
    # The last photo put after each block, so that several follow it in their order.
    after: dict[int, Tag] = {}
    for image in soup.find_all("img"):
        if image.decomposed:
            continue
        gallery = image.find_parent("figure", class_=re.compile(r"gallery"))
        if gallery is not None:
            gallery_photos(soup, gallery, photo_for)
            continue
        figure = image.find_parent("figure")
        caption = figure.find("figcaption") if figure is not None else None
        snippet = photo_snippet(soup, image, caption, photo_for)
        outer = top_level(figure or image)
        if figure is not None and outer is figure:
            if snippet is None:
                figure.decompose()
            else:
                figure.replace_with(snippet)
            continue
        holder = next((p.name for p in image.parents if p.name in CONTAINERS), None)
        if holder and snippet is not None:
            problems.append(
                f"a photo inside a {CONTAINERS[holder]} is put after the {CONTAINERS[holder]}: "
                "photos stand on their own in the text"
            )
        if snippet is not None:
            after.get(id(outer), outer).insert_after(snippet)
            after[id(outer)] = snippet
        # A link around the picture alone (to the picture's file, as a rule) goes with it.
        link = image.parent if image.parent.name == "a" else None
        (figure or (link if link and not link.get_text(strip=True) else image)).decompose()


def gallery_photos(soup: BeautifulSoup, gallery: Tag, photo_for: PhotoFor) -> None:
    """A gallery's pictures one after the other, each with its caption, then the gallery's."""
    parts = []
    for image in gallery.find_all("img"):
        holder = image.find_parent("figure")
        caption = holder.find("figcaption") if holder is not gallery else None
        parts.append(photo_snippet(soup, image, caption, photo_for))
    own = gallery.find("figcaption", recursive=False)
    if own is not None:
        own.name = "p"
        parts.append(own)
    for part in reversed([p for p in parts if p is not None]):
        gallery.insert_after(part)
    gallery.decompose()


def photo_snippet(soup, image: Tag, caption: Tag | None, photo_for: PhotoFor) -> Tag | None:
    url = image.get("src") or image.get("data-src") or ""
    alt = " ".join(image.get("alt", "").split())
    found = re.search(r"\bwp-image-(\d+)\b", " ".join(image.get("class", [])))
    holder = image.find_parent(attrs={"data-attachment": True})
    attachment = (
        found[1] if found else image.get("data-id") or (holder or {}).get("data-attachment")
    )
    attachment_id = int(attachment) if attachment and str(attachment).isdigit() else None
    photo = photo_for(url.strip(), attachment_id, alt)
    if photo is None:
        return None
    words = " ".join(caption.get_text().split()) if caption is not None else ""
    return ours(soup, "wpphoto", snippet=inline_photos.snippet(photo, alt or photo.alt, words))
