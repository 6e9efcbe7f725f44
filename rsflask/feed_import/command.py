"""`flask import-feed URL-or-FILE`: a site that is not WordPress (Substack, Medium, Blogger,
Ghost, RebelMouse...) brought over from its RSS 2.0 or Atom feed, with the WordPress importer's
report, re-runs and redirects.

A feed holds what its site chose to put in it: often only its latest items, sometimes only a
summary of each; the report says which came without their whole text. A feed is small, so it is
stored in one transaction: a run stopped halfway stores nothing, and the next run does it all.
"""

import click

from rsflask.db import db
from rsflask.feed_import.entries import FeedError, parse, read_feed
from rsflask.feed_import.importer import FeedImporter, Options
from rsflask.wordpress import addresses
from rsflask.wordpress.command import photos_kept_only_if, progress
from rsflask.wordpress.fields import MAX_NAME
from rsflask.wordpress.images import Images
from rsflask.wordpress.report import Report

# feedparser's names of the formats it read.
VERSIONS = {"rss20": "RSS 2.0", "rss10": "RSS 1.0", "atom10": "Atom 1.0", "atom03": "Atom 0.3"}


@click.command("import-feed")
@click.argument("source")
@click.option(
    "--section", default="", help="The section of every entry; its categories become tags."
)
@click.option("--fetch", is_flag=True, help="Download the pictures from the feed's addresses.")
@click.option("--dry-run", is_flag=True, help="Print the report; store nothing.")
@click.option(
    "--type", "type_name", default="News", show_default=True, help="The type of every article."
)
@click.option(
    "--overwrite", is_flag=True, help="Replace what editors changed since the last import."
)
def import_feed_command(
    source: str, section: str, fetch: bool, dry_run: bool, type_name: str, overwrite: bool
) -> None:
    """Import an RSS or Atom feed (a file, or an http or https address): its entries become
    articles, their old addresses redirects."""
    type_name, section = type_name.strip(), section.strip()
    if not type_name or len(type_name) > MAX_NAME:
        raise click.UsageError(f"--type needs a name of 1 to {MAX_NAME} characters")
    if len(section) > MAX_NAME:
        raise click.UsageError(f"--section needs a name of at most {MAX_NAME} characters")
    try:
        data, address = read_feed(source)
        feed = parse(data)
    except FeedError as error:
        raise click.ClickException(f"{source}: {error}. Nothing was imported.") from error
    report, images = Report(), Images({}, None, fetch)
    importer = FeedImporter(feed, address, images, Options(type_name, section, overwrite), report)
    try:
        with photos_kept_only_if(not dry_run):
            with progress(len(feed.entries), "Importing") as bar:
                for entry in feed.entries:
                    importer.import_item(entry)
                    bar.update(1)
            addresses.store_items(importer.addresses, report)
            importer.store_feed_address()
            if dry_run:
                db.session.rollback()
            else:
                db.session.commit()
    except BaseException:
        db.session.rollback()
        click.echo("Stopped. Nothing was stored: run the same command again.", err=True)
        raise
    finally:
        images.close()
    kind = VERSIONS.get(feed.version) or feed.version.upper()
    heading = f"{kind} feed {source} of {feed.feed.get('title') or importer.site}"
    if dry_run:
        heading += "\nDry run: nothing was stored; this is what the import would do."
    click.echo("\n".join(report.lines(heading)))
