"""Command-line tools: importing and exporting articles and pages, link previews, demo content,
accounts."""

import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app, url_for

from rsflask import demo
from rsflask.article_files import ArticleFileError, export_article
from rsflask.article_import import import_article_file
from rsflask.db import db
from rsflask.editor.forms import MIN_PASSWORD_LENGTH
from rsflask.feed_import.command import import_feed_command
from rsflask.models import Article, Page, Photo, User
from rsflask.models.accounts import ROLES
from rsflask.newsletter.commands import digest_group, newsletter_group
from rsflask.page_files import export_page
from rsflask.photos import PhotoError, add_missing_share_image
from rsflask.wordpress.command import import_wordpress_command

DEMO_EDITOR_EMAIL = "editor@example.com"


@click.command("import-article")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_article_command(files: tuple[Path, ...]) -> None:
    """Import articles and pages (kind: page) from Markdown files with a meta-data header."""
    for path in files:
        try:
            stored, warnings = import_article_file(path)
        except (ArticleFileError, PhotoError) as error:
            raise click.ClickException(str(error)) from error
        warn(path, warnings)
        with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
            if isinstance(stored, Page):
                # A page lives at the site's root: /slug, or /parent/slug.
                click.echo(url_for("reader.index", _external=True) + stored.path)
            else:
                click.echo(url_for("reader.article", slug=stored.slug, _external=True))


@click.command("export-article")
@click.argument("slug")
@click.option(
    "--output-dir",
    "-o",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write SLUG.md (and its photos) into.",
)
@click.option("--page", "is_page", is_flag=True, help="Export the page SLUG, not an article.")
def export_article_command(slug: str, output_dir: Path, is_page: bool) -> None:
    """Export an article (or with --page a page) as Markdown with a meta-data header."""
    # Articles and pages have slugs of their own: one may be both, so the flag says which.
    if is_page:
        page = db.session.scalar(db.select(Page).filter_by(slug=slug))
        if page is None:
            raise click.ClickException(f"no page with the slug {slug!r}")
        path, warnings = export_page(page, output_dir)
        click.echo(path)
        warn(path, warnings)
        return
    article = db.session.scalar(db.select(Article).filter_by(slug=slug))
    if article is None:
        hint = ""
        if db.session.scalar(db.select(Page.id).filter_by(slug=slug)) is not None:
            hint = f"; a page has it: export-article --page {slug}"
        raise click.ClickException(f"no article with the slug {slug!r}{hint}")
    path, warnings = export_article(article, output_dir)
    click.echo(path)
    warn(path, warnings)


def warn(path: Path, warnings: list[str]) -> None:
    """What went through with a problem: on standard error, which scripts reading the printed
    paths and URLs do not read."""
    for warning in warnings:
        click.echo(f"Warning: {path}: {warning}", err=True)


@click.command("make-share-images")
def make_share_images_command() -> None:
    """Make the JPEG link preview of each photo stored before they were made."""
    photos = db.session.scalars(db.select(Photo).order_by(Photo.id)).all()
    made, unreadable = 0, []
    with click.progressbar(photos, label="Link previews") as bar:
        for photo in bar:
            try:
                made += add_missing_share_image(photo)
            except OSError:
                unreadable.append(photo.digest)
    click.echo(f"Made {made} link previews for {len(photos)} photos.")
    if unreadable:
        raise click.ClickException(f"no readable file for the photos {', '.join(unreadable)}")


@click.command("seed-demo")
@click.option("--count", type=click.IntRange(min=1), help="Make this many articles in all.")
@click.option("--if-empty", is_flag=True, help="Do nothing when there are articles already.")
def seed_demo_command(count: int | None, if_empty: bool) -> None:
    """Load the demo articles, sections, authors and generated photos."""
    if if_empty and demo.article_count():
        return
    demo.load_demo(count)
    click.echo(f"{demo.article_count()} articles in the database.")


@click.command("create-demo-editor")
def create_demo_editor_command() -> None:
    """Create a demo editor account when there is no account at all, and print its login once."""
    if db.session.scalar(db.select(User.id).limit(1)) is not None:
        return
    password = secrets.token_urlsafe(12)
    user = User(email=DEMO_EDITOR_EMAIL, name="Demo Editor", role="admin")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(
        "\n  Demo editor account created (shown only this once):\n"
        f"    email:    {DEMO_EDITOR_EMAIL}\n    password: {password}\n"
    )


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="writer", show_default=True)
@click.option("--name", default="", help="The name shown in the editor.")
def create_user_command(email: str, role: str, name: str) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    email = email.strip().lower()
    if db.session.scalar(db.select(User).filter_by(email=email)) is not None:
        raise click.ClickException(f"an account with the email {email} exists already")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")


def init_app(app: Flask) -> None:
    for command in (
        create_user_command,
        import_article_command,
        import_wordpress_command,
        import_feed_command,
        export_article_command,
        make_share_images_command,
        seed_demo_command,
        create_demo_editor_command,
        newsletter_group,
        digest_group,
    ):
        app.cli.add_command(command)
