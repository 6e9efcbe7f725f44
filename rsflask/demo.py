"""Demo content: the articles in demo/articles, illustrated with photos drawn by Pillow (at the
top, and in a body where its snippet names the photo by the seed that draws it), and the site's
pages in demo/pages.

Past 300 lines, and kept whole: one job (the demo site), most of it the data that says which
authors, sections and pages the demo has.
"""

import io
import random
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import click
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import func, insert

from rsflask import markup
from rsflask.article_files import read_article_file
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.models import Article, ArticleAuthor, ArticleType, Author, Page, Revision, Section
from rsflask.models.content import article_tags
from rsflask.named_rows import get_or_create
from rsflask.photos import store_photo
from rsflask.search_index import compact_index, reindex

ARTICLES = Path(__file__).parent / "demo" / "articles"
PAGES = Path(__file__).parent / "demo" / "pages"
SECTIONS = [
    ("Europe", "The continent's politics, security and economy, from Lisbon to the Urals."),
    ("Middle East", "States, societies and the rivalries that run between them."),
    (
        "Military Industrial Complex",
        "Budgets, procurement, arms exports and the industry behind them.",
    ),
    ("Asia", "From the Indian Ocean to the Pacific: power, trade and the region's disputes."),
    ("Americas", "The hemisphere's politics, economies and relations with the wider world."),
    ("Africa", "A continent of fifty-four states and very many foreign policies."),
    ("QIOSK", "Short news items, briefly told."),
]
TYPES = ["Analysis", "News", "Opinion", "Explainer"]
# Name: (bio, role line, place among the staff or None for a contributor).
AUTHORS = {
    "Elinor Marsh": (
        "Elinor Marsh edits the Review. She reported from Brussels and Ankara for fifteen years.",
        "Editor-in-chief",
        1,
    ),
    "Viktor Halloran": (
        "Viktor Halloran is the Review's diplomatic editor.",
        "Diplomatic editor",
        2,
    ),
    "Mara Lindqvist": (
        "Mara Lindqvist covers European security and the Nordic states.",
        "Europe editor",
        3,
    ),
    "Tobias Achterberg": (
        "Tobias Achterberg writes about defence industry and procurement.",
        "Defence industry correspondent",
        4,
    ),
    "Nadia Haddad": (
        "Nadia Haddad reports on the Gulf and the Levant.",
        "Contributing writer, Middle East",
        None,
    ),
    "Samuel Okafor": (
        "Samuel Okafor writes on West African politics and regional trade.",
        "Contributing writer, Africa",
        None,
    ),
    "Ines Carvalho": (
        "Ines Carvalho covers Latin America and the South Atlantic.",
        "Contributing writer, the Americas",
        None,
    ),
    "Priya Raman": (
        "Priya Raman writes on South and Southeast Asia and maritime affairs.",
        "Contributing writer, Asia",
        None,
    ),
    "Jonah Whitcombe": (
        "Jonah Whitcombe covers energy markets and sanctions.",
        "Contributing writer, energy",
        None,
    ),
}
CREDIT = "Illustration generated for the Review"
# In a demo article's body, ![alt](photo:seed "...") shows the photo that seed draws.
BODY_PHOTO_SEED = re.compile(r"\]\(photo:([a-z][a-z0-9-]*)")
# The demo article holding every kind of content a story may have: photos in its body, embeds,
# a table, a footnote, a correction and an update. bench/lighthouse.py measures its page.
SHOWCASE_SLUG = "ports-waiting-longer"
PALETTES = [
    ("deep blue", (18, 38, 74), "amber", (232, 163, 61), "sand", (236, 222, 196)),
    ("slate", (44, 52, 64), "teal", (38, 150, 140), "pale grey", (214, 220, 224)),
    ("dark green", (22, 58, 46), "ochre", (204, 146, 48), "cream", (244, 236, 214)),
    ("burgundy", (86, 22, 40), "rose", (214, 120, 130), "ivory", (246, 240, 230)),
    ("navy", (14, 26, 52), "sky blue", (120, 176, 222), "white", (248, 248, 250)),
    ("charcoal", (34, 34, 38), "red", (196, 52, 44), "stone", (210, 204, 196)),
]


def demo_photo(seed: str, width: int = 1600, height: int = 900) -> tuple[bytes, str]:
    """A generated illustration, the same for the same seed, and alt text that describes it."""
    rng = random.Random(seed)
    dark_name, dark, accent_name, accent, light_name, light = rng.choice(PALETTES)
    image = Image.new("RGB", (width, height), dark)
    gradient = Image.linear_gradient("L").resize((width, height)).rotate(rng.choice([0, 90]))
    image = Image.composite(
        Image.new("RGB", image.size, light), image, gradient.point(lambda v: v // 3)
    )
    draw = ImageDraw.Draw(image)
    motif = rng.choice(["circles", "bands", "ridges"])
    if motif == "circles":
        for _ in range(rng.randint(3, 6)):
            r = rng.randint(height // 8, height // 3)
            x, y = rng.randint(0, width), rng.randint(0, height)
            draw.ellipse((x - r, y - r, x + r, y + r), outline=accent, width=rng.randint(6, 18))
        shape = "overlapping rings"
    elif motif == "bands":
        for i in range(rng.randint(4, 8)):
            y = height * (i + 1) // 9 + rng.randint(-30, 30)
            draw.rectangle((0, y, width, y + rng.randint(12, 48)), fill=accent if i % 2 else light)
        shape = "horizontal bands"
    else:
        for layer in range(3):
            base = height * (0.45 + 0.17 * layer)
            points = (
                [(0, height)]
                + [(x, base - rng.randint(0, height // 4)) for x in range(0, width + 200, 200)]
                + [(width, height)]
            )
            draw.polygon(points, fill=(accent, light, dark)[layer])
        shape = "layered ridges like a mountain range"
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=84, optimize=True)
    alt = f"Abstract illustration: {accent_name} {shape} on {dark_name} and {light_name}"
    return out.getvalue(), alt


class DemoPage(NamedTuple):
    """A demo page: its body is demo/pages/<slug>.md."""

    slug: str
    title: str
    dek: str
    page_type: str = "WebPage"
    parent: str | None = None
    nav_position: int | None = None
    footer_position: int | None = None


# Parents before their children.
DEMO_PAGES = [
    DemoPage(
        "about",
        "About the Review",
        "A magazine about how states deal with one another, written to be read slowly.",
        "AboutPage",
        nav_position=1,
        footer_position=1,
    ),
    DemoPage(
        "masthead",
        "Masthead",
        "The editors and staff who decide what the Review publishes, and answer for it.",
        parent="about",
    ),
    DemoPage(
        "contact",
        "Contact",
        "Letters, corrections, tips and everything else: where to write.",
        "ContactPage",
        footer_position=2,
    ),
    DemoPage(
        "write-for-us",
        "Write for us",
        "What we publish, how to pitch us, and what happens if we say yes.",
        footer_position=3,
    ),
    DemoPage(
        "privacy",
        "Privacy policy",
        "What we store about readers and subscribers, why, and how to have it removed.",
        footer_position=4,
    ),
]


def ensure_pages() -> None:
    """Store the demo pages, published, or bring them back to their demo text; each change is
    recorded as a saved revision, as the editor records one (the newsletter's consent record
    names the privacy page's)."""
    now = utcnow().replace(second=0, microsecond=0)
    for demo in DEMO_PAGES:
        page = db.session.scalar(db.select(Page).filter_by(slug=demo.slug))
        if page is None:
            # Added once filled in: the query for its parent would flush it half made.
            page = Page(slug=demo.slug, published_at=now)
        body = (PAGES / f"{demo.slug}.md").read_text(encoding="utf-8")
        parent_id = None
        if demo.parent:
            parent_id = db.session.scalar(db.select(Page.id).filter_by(slug=demo.parent))
        fields = {
            "title": demo.title,
            "dek": demo.dek,
            "page_type": demo.page_type,
            "parent_id": parent_id,
            "nav_position": demo.nav_position,
            "footer_position": demo.footer_position,
            "status": "published",
        }
        unchanged = page.body_md == body and all(
            getattr(page, name) == value for name, value in fields.items()
        )
        if unchanged:
            continue
        for name, value in fields.items():
            setattr(page, name, value)
        page.published_at = page.published_at or now
        markup.set_body(page, body)
        db.session.add(page)
        db.session.flush()
        db.session.add(
            Revision(
                page_id=page.id,
                kind="save",
                base_version=page.version,
                title=page.title,
                dek=page.dek,
                body_md=page.body_md,
                slug=page.slug,
                page_parent_id=page.parent_id,
                page_type=page.page_type,
            )
        )
    db.session.flush()


def ensure_taxonomy() -> None:
    for position, (name, description) in enumerate(SECTIONS):
        get_or_create(Section, name, description=description, position=position)
    for name in TYPES:
        get_or_create(ArticleType, name)
    for name, (bio, role_line, staff_position) in AUTHORS.items():
        staff = {"is_staff": True, "staff_position": staff_position} if staff_position else {}
        get_or_create(Author, name, bio=bio, role_line=role_line, **staff)
    db.session.flush()


def demo_files() -> list[Path]:
    """The demo articles in publication order: sections interleaved, QIOSK items among them."""
    files = sorted(ARTICLES.glob("*.md"))
    random.Random(2026).shuffle(files)
    return files


def load_demo(count: int | None = None) -> None:
    """Store the demo articles (all, or the first `count`); past the files, generate up to `count`.

    Running it again is safe: demo files are stored again under their slugs, and only the
    articles still missing to reach `count` in all are generated.
    """
    ensure_taxonomy()
    ensure_pages()
    files = demo_files()
    now = utcnow().replace(second=0, microsecond=0)
    stored = []
    for index, path in enumerate(files[: count if count is not None else len(files)]):
        article_file = read_article_file(path)
        article_file.published = now - timedelta(hours=5 * index + 1)
        if article_file.section != "QIOSK":
            article_file.image, article_file.image_alt = demo_photo(article_file.slug)
            article_file.image_credit = CREDIT
        article_file.body = with_body_photos(article_file.body)
        # A file's notes follow its article's made-up publication time, in the file's order.
        article_file.notes = [
            (article_file.published + timedelta(minutes=20 * (number + 1)), kind, text)
            for number, (_, kind, text) in enumerate(article_file.notes)
        ]
        stored.append(save_article(article_file))
    db.session.commit()
    missing = (count or 0) - article_count()
    if missing > 0:
        generate_articles(missing, stored, start=now - timedelta(hours=5 * len(files)))


def with_body_photos(body: str) -> str:
    """The body with the photo each snippet's seed draws stored, and named by its number."""

    def stored(match: re.Match) -> str:
        data, alt = demo_photo(match[1])
        photo = store_photo(data, alt, CREDIT)
        # Rendering looks the photo up without flushing the session first.
        db.session.flush()
        return f"](photo:{photo.id}"

    return BODY_PHOTO_SEED.sub(stored, body)


def generate_articles(count: int, models: list[Article], start: datetime) -> None:
    """Bulk-insert `count` numbered variations of the demo articles, for scale tests."""
    batch_size = 2000
    # Numbers past the articles already stored keep the slugs of a second run unique.
    first = article_count()
    with click.progressbar(length=count, label="Generating articles") as bar:
        for batch_start in range(0, count, batch_size):
            numbers = range(
                first + batch_start + 1, first + min(batch_start + batch_size, count) + 1
            )
            sources = {number: models[number % len(models)] for number in numbers}
            rows = [
                {
                    "slug": f"{model.slug}-{number}",
                    "title": f"{model.title} ({number})",
                    "dek": model.dek,
                    "body_md": model.body_md,
                    "lead_html": model.lead_html,
                    "rest_html": model.rest_html,
                    "word_count": model.word_count,
                    "type_id": model.type_id,
                    "section_id": model.section_id,
                    "status": "published",
                    "published_at": start - timedelta(minutes=17 * number),
                    "photo_id": model.photo_id,
                    "photo_alt": model.photo_alt,
                    "photo_credit": model.photo_credit,
                }
                for number, model in sources.items()
            ]
            ids = db.session.scalars(
                insert(Article).returning(Article.id, sort_by_parameter_order=True), rows
            ).all()
            bylines = [
                {"article_id": article_id, "author_id": b.author_id, "position": b.position}
                for article_id, model in zip(ids, sources.values(), strict=True)
                for b in model.bylines
            ]
            tags = [
                {"article_id": article_id, "tag_id": tag.id}
                for article_id, model in zip(ids, sources.values(), strict=True)
                for tag in model.tags
            ]
            if bylines:
                db.session.execute(insert(ArticleAuthor), bylines)
            if tags:
                db.session.execute(insert(article_tags), tags)
            # Core inserts bypass the session events that keep the search index in step.
            reindex(ids)
            db.session.commit()
            bar.update(len(rows))
    compact_index()
    db.session.commit()


def article_count() -> int:
    return db.session.scalar(db.select(func.count(Article.id)))
