"""`flask import-wordpress EXPORT.xml`: a WordPress site's posts, pages, images and old
addresses, with a report.

The export is read twice, as a stream. The first reading checks the whole file (well-formed, a
WXR export of a known version, no DTD) before anything is stored, and collects what the second
needs: the media library, reusable blocks, the pages' parents. The second stores posts and
top-level pages, then pages with a parent, committing every BATCH_SIZE items with their
redirects. A run stopped halfway (a crash, Ctrl-C, a full disk) keeps the batches it committed,
and running the same command again completes it: items are matched by their WordPress ids, so
nothing is made twice. A dry run stores in one transaction and rolls it back, with the photo
files going to a temporary folder that is removed.
"""

import contextlib
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app

from rsflask.db import db
from rsflask.wordpress import addresses
from rsflask.wordpress.images import Images
from rsflask.wordpress.importer import Importer, Options
from rsflask.wordpress.index import Index, is_imported, is_second_round
from rsflask.wordpress.report import Report
from rsflask.wordpress.wxr import Export, WXRError

BATCH_SIZE = 100


@click.command("import-wordpress")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--uploads",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The site's wp-content/uploads folder, copied here: images are read from it.",
)
@click.option("--fetch", is_flag=True, help="Download the images from the export's addresses.")
@click.option("--dry-run", is_flag=True, help="Print the report; store nothing.")
@click.option(
    "--type",
    "type_name",
    default="News",
    show_default=True,
    help="The type of every imported article.",
)
@click.option(
    "--strict", is_flag=True, help="An article missing its featured image is imported as a draft."
)
@click.option(
    "--overwrite", is_flag=True, help="Replace what editors changed since the last import."
)
def import_wordpress_command(
    export: Path,
    uploads: Path | None,
    fetch: bool,
    dry_run: bool,
    type_name: str,
    strict: bool,
    overwrite: bool,
) -> None:
    """Import a WordPress export (Tools > Export > All content): posts, pages, images, old
    addresses."""
    if uploads is not None and fetch:
        raise click.UsageError("give --uploads DIR or --fetch, not both")
    type_name = type_name.strip()
    if not type_name or len(type_name) > 100:
        raise click.UsageError("--type needs a name of 1 to 100 characters")
    wxr, index, report = Export(export), Index(), Report()
    try:
        with progress(export.stat().st_size, "Reading the export") as bar:
            for item in wxr.items(progress=bar.update):
                index.add(item, report)
    except WXRError as error:
        raise click.ClickException(f"{export}: {error}. Nothing was imported.") from error
    images = Images(index.attachments, uploads, fetch)
    importer = Importer(wxr.channel, index, images, Options(type_name, strict, overwrite), report)
    try:
        with photos_kept_only_if(not dry_run):
            import_items(wxr, index, importer, dry_run)
            addresses.store_archives(wxr.channel, report)
            if dry_run:
                db.session.rollback()
            else:
                db.session.commit()
    except WXRError as error:
        db.session.rollback()
        raise click.ClickException(
            f"{export}: {error}. The file changed while it was read: {stored_note(dry_run)}"
        ) from error
    except BaseException:
        db.session.rollback()
        click.echo(f"Stopped. {stored_note(dry_run)}", err=True)
        raise
    finally:
        images.close()
    site = wxr.channel.title or wxr.channel.base_site_url
    heading = f"WordPress export {export.name} (WXR {wxr.channel.version}) of {site}"
    if dry_run:
        heading += "\nDry run: nothing was stored; this is what the import would do."
    click.echo("\n".join(report.lines(heading)))


def import_items(wxr: Export, index: Index, importer: Importer, dry_run: bool) -> None:
    """Every post and page, in two rounds; committed in batches unless `dry_run`."""
    done = 0
    for second_round, total in ((False, index.first_round), (True, index.second_round)):
        if not total:
            continue
        label = "Importing pages with a parent" if second_round else "Importing"
        with progress(total, label) as bar:
            for item in wxr.items():
                if not is_imported(item) or is_second_round(item) != second_round:
                    continue
                importer.import_item(item)
                bar.update(1)
                done += 1
                if done % BATCH_SIZE == 0:
                    end_batch(importer, dry_run)
        end_batch(importer, dry_run)


def end_batch(importer: Importer, dry_run: bool) -> None:
    """The batch's redirects stored, and the batch committed (unless a dry run)."""
    addresses.store_items(importer.addresses, importer.report)
    if not dry_run:
        db.session.commit()


def stored_note(dry_run: bool) -> str:
    if dry_run:
        return "nothing was stored (a dry run)."
    return (
        "The batches already committed are kept; run the same command again to complete the "
        "import (nothing is made twice)."
    )


def progress(length: int, label: str):
    """A progress bar on standard error; click draws it only on a terminal."""
    return click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)


@contextlib.contextmanager
def photos_kept_only_if(keep: bool):
    """Photo files go where they belong, or (for a dry run) to a folder removed afterwards."""
    if keep:
        yield
        return
    folder = current_app.config["PHOTO_FOLDER"]
    with tempfile.TemporaryDirectory(prefix="rsflask-dry-run-") as temporary:
        current_app.config["PHOTO_FOLDER"] = temporary
        try:
            yield
        finally:
            current_app.config["PHOTO_FOLDER"] = folder
