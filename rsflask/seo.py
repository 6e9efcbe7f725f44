"""What a page tells search engines and link previews: canonical URL, summary, photo, JSON-LD."""

from textwrap import shorten

from flask import Flask, request, url_for
from markupsafe import Markup

from rsflask import site_settings
from rsflask.feeds import changed_at
from rsflask.models import Article, Page
from rsflask.models.pages import PAGE_TYPES
from rsflask.pages import page_url
from rsflask.photos import (
    CROP_RATIOS,
    add_missing_crops,
    add_missing_share_image,
    crop_name,
    photo_folder,
    share_name,
    share_size,
)
from rsflask.public_pages import declared_query
from rsflask.reader import section_url
from rsflask.site_card import headline_card, site_card
from rsflask.stored_html import plain_text
from rsflask.templating import format_iso

# Search results and link cards cut descriptions at about this many characters.
SUMMARY_LENGTH = 160
# The publisher's logo in JSON-LD: a PNG, since search engines do not take the SVG favicon.
LOGO = ("img/logo.png", 512, 512)


def canonical_url() -> str:
    """This page's absolute address without its query string, but ?page=N past the first page of
    a listing (a view that declares it reads ?page=)."""
    args = dict(request.view_args or {})
    page = request.args.get("page", "") if "page" in declared_query() else ""
    if page.isascii() and page.isdigit() and int(page) > 1:
        args["page"] = int(page)
    return url_for(request.endpoint, _external=True, **args)


def article_summary(article: Article | Page) -> str:
    """An article's or a page's dek, or else the opening words of its body."""
    if article.dek:
        return article.dek
    # lead_html is the stored, sanitised body (markup.py); only its text is kept here.
    text = Markup(article.lead_html).striptags()  # noqa: S704
    return shorten(text, SUMMARY_LENGTH, placeholder="…")


def preview_title(article: Article) -> str:
    """The title of link previews: the social title, or else the headline."""
    return article.social_title or article.title


def preview_description(article: Article) -> str:
    """The text of link previews: the social description, or else the summary."""
    return article.social_description or article_summary(article)


def article_url(article: Article) -> str:
    """The address search engines should credit: where the piece was first published, or else
    this page's own."""
    return article.canonical_url or canonical_url()


def share_image(article: Article) -> dict:
    """What link cards show: the JPEG preview of the article's social image or else of its top
    photo, or else the site's default share image (the Settings page's), or else a card drawn
    with the site's name and the headline.

    JPEG, because some crawlers (LinkedIn's, some messengers') skip a WebP image.
    """
    photo = article.social_image or article.photo
    # The social image has no alt text of its own: the title it is shown with describes it.
    alt = article.photo_alt if photo is article.photo else preview_title(article)
    if photo is not None:
        try:
            # Photos stored before previews were made get theirs on their first page view.
            add_missing_share_image(photo)
        except OSError:
            # Its files are gone: the site's card rather than a link to nothing.
            photo = None
    if photo is None:
        chosen = default_share_image()
        return chosen if chosen["is_photo"] else headline_card(article)
    width, height = share_size(photo)
    return {
        "url": url_for("reader.photo", name=share_name(photo), _external=True),
        "width": width,
        "height": height,
        "alt": alt,
        "is_photo": True,
    }


def default_share_image() -> dict:
    """The image uploaded on the Settings page, or else the site's card.

    The uploaded one counts as a photo: a picture chosen by people, worth a large card and a
    place in JSON-LD, which the drawn card with the site's name is not.
    """
    site = site_settings.current()
    chosen = site["share_image"]
    if chosen and (photo_folder() / chosen["name"]).exists():
        return {
            "url": url_for("reader.photo", name=chosen["name"], _external=True),
            "width": chosen["width"],
            "height": chosen["height"],
            "alt": site["name"],
            "is_photo": True,
        }
    return drawn_image(site_card())


def drawn_image(card: dict) -> dict:
    return {
        "url": url_for("reader.photo", name=card["name"], _external=True),
        "width": card["width"],
        "height": card["height"],
        "alt": card["alt"],
        "is_photo": False,
    }


def structured_images(article: Article, image: dict) -> list[str]:
    """The social image, or else the top photo, in the three shapes search engines ask for (1:1,
    4:3, 16:9), or the one image the article is shared with."""
    photo = article.social_image or article.photo
    try:
        if photo is None:
            raise FileNotFoundError
        add_missing_crops(photo)
    except OSError:
        return [image["url"]]
    return [
        url_for("reader.photo", name=crop_name(photo, ratio), _external=True)
        for ratio in CROP_RATIOS
    ]


def publisher_logo() -> dict:
    """The logo in JSON-LD: the Settings page's upload, or else the shipped 512-pixel PNG."""
    logo = site_settings.current()["logo"]
    if logo:
        url = url_for("reader.photo", name=logo["name"], _external=True)
        size = {"width": logo["width"], "height": logo["height"]}
        return {"@type": "ImageObject", "url": url, **size}
    url = url_for("static", filename=LOGO[0], _external=True)
    return {"@type": "ImageObject", "url": url, "width": LOGO[1], "height": LOGO[2]}


def publisher() -> dict:
    """The site as the publisher in JSON-LD, with its logo."""
    return {
        "@type": "Organization",
        "name": site_settings.current()["name"],
        "url": url_for("reader.index", _external=True),
        "logo": publisher_logo(),
    }


def article_structured_data(article: Article, image: dict) -> list[dict]:
    """schema.org NewsArticle and BreadcrumbList, to be serialised with |tojson; `image` is the
    article's share_image, which the page has found already."""
    url = url_for("reader.article", slug=article.slug, _external=True)
    home = url_for("reader.index", _external=True)
    news_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article_summary(article),
        # Without a photo, no key: the site's card says nothing about the article, and an empty
        # list is an image property that names no image.
        **({"image": structured_images(article, image)} if image["is_photo"] else {}),
        "datePublished": format_iso(article.published_at),
        "dateModified": format_iso(changed_at(article.updated_at, article.published_at)),
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": url_for("reader.author", slug=author.slug, _external=True),
            }
            for author in article.authors
        ],
        "publisher": publisher(),
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
    }
    corrections = [note for note in article.notes if note.kind == "correction"]
    if corrections:
        news_article["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": plain_text(note.text_html).strip(),
                "datePublished": format_iso(note.noted_at),
            }
            for note in corrections
        ]
    section = article.section
    trail = [("Home", home), (section.name, section_url(section.slug, _external=True))]
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": item}
            for position, (name, item) in enumerate([*trail, (article.title, url)], start=1)
        ],
    }
    return [news_article, breadcrumbs]


def page_structured_data(page: Page) -> dict:
    """schema.org WebPage, AboutPage or ContactPage (the page's type), with |tojson."""
    return {
        "@context": "https://schema.org",
        "@type": page.page_type if page.page_type in PAGE_TYPES else "WebPage",
        "name": page.title,
        "url": page_url(page, _external=True),
        "description": article_summary(page),
        **({"datePublished": format_iso(page.published_at)} if page.published_at else {}),
        "dateModified": format_iso(page.updated_at),
        "publisher": publisher(),
        "isPartOf": {
            "@type": "WebSite",
            "name": site_settings.current()["name"],
            "url": url_for("reader.index", _external=True),
        },
    }


def init_app(app: Flask) -> None:
    app.add_template_global(canonical_url)
    app.add_template_global(article_summary)
    app.add_template_global(share_image)
    app.add_template_global(preview_title)
    app.add_template_global(preview_description)
    app.add_template_global(article_url)
    app.add_template_global(default_share_image)
    app.add_template_global(publisher_logo)
    app.add_template_global(article_structured_data)
    app.add_template_global(page_structured_data)
