"""Redirects as CSV files (columns old_path, target, status): the export, and the import, which
stores each line as the Redirects page would and reports what it did with every line."""

import csv
import io
from dataclasses import dataclass

from flask import make_response, render_template
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select

from rsflask import redirect_paths, redirects
from rsflask.db import db, utcnow
from rsflask.editor.access import bp, roles_required
from rsflask.editor.redirects import listed
from rsflask.models import Redirect
from rsflask.models.accounts import PUBLISHING_ROLES

CSV_COLUMNS = ("old_path", "target", "status")
# Each line is checked against the site's own routes, and a target that is a listing is a page
# rendered (once a request): a file this size is stored well inside a request's time (gunicorn's
# 30 seconds). A whole archive goes through the importers instead.
MAX_BYTES = 256 * 1024
MAX_LINES = 1000


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file to import.")],
        description="UTF-8, first line old_path,target,status (status 301 or 302; 301 when "
        f"empty). At most {MAX_LINES:,} lines and {MAX_BYTES // 1024} KB a file.",
    )


class FileRefused(Exception):
    """The file as a whole cannot be read: nothing of it is stored."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Line:
    number: int
    old_path: str
    # "added", "changed", "unchanged" or "refused"
    outcome: str
    # Where it leads now, or why it was refused.
    detail: str


@bp.get("/redirects.csv")
@roles_required(*PUBLISHING_ROLES)
def export_redirects():
    """Every redirect as CSV, its target as an editor would type it: importing the file again
    changes nothing."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for stored in db.session.scalars(listed().order_by(None).order_by(Redirect.old_path)):
        writer.writerow([stored.old_path, redirects.target_text(stored), stored.status])
    response = make_response(out.getvalue())
    response.mimetype = "text/csv"
    filename = f"redirects-{utcnow():%Y-%m-%d}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.cache_control.no_store = True
    return response


@bp.route("/redirects/import", methods=["GET", "POST"])
@roles_required(*PUBLISHING_ROLES)
def import_redirects():
    """Add or change redirects from a CSV file, with a report of every line."""
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("editor/redirects_import.html", form=form), status
    try:
        rows = read_rows(form.file.data.read(MAX_BYTES + 1))
    except FileRefused as refusal:
        form.file.errors = [str(refusal)]
        return render_template("editor/redirects_import.html", form=form), refusal.status
    report, seen = [], {}
    for number, row in rows:
        report.append(import_line(number, row, seen))
    db.session.commit()
    # The report is the answer itself: sending the same file again changes nothing.
    return render_template("editor/redirects_import.html", form=ImportForm(), report=report)


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's lines as {column: value} with their line numbers; FileRefused if it is not a
    CSV file of redirects, or too large."""
    if len(data) > MAX_BYTES:
        raise FileRefused(f"The file is larger than {MAX_BYTES // 1024} KB: split it.", 413)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused("The file is not UTF-8 text. Save it as “CSV UTF-8”.") from error
    if "\x00" in text:
        raise FileRefused("The file holds NUL characters: it is not a text file.")
    # Strict: a quote left open is an error, not the rest of the file read as one value.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if not {"old_path", "target"} <= set(header):
            raise FileRefused(
                "The first line must name the columns old_path,target,status: this is not a "
                "file of redirects."
            )
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) == MAX_LINES:
                raise FileRefused(f"The file has more than {MAX_LINES:,} lines: split it.", 413)
            rows.append((reader.line_num, dict(zip(header, values, strict=False))))
    except csv.Error as error:
        raise FileRefused(f"Line {reader.line_num} is not valid CSV: {error}.") from error
    return rows


def import_line(number: int, row: dict[str, str], seen: dict[str, int]) -> Line:
    """Store one line, in a savepoint of its own: a refused line leaves nothing behind."""
    written = (row.get("old_path") or "").strip()
    status = (row.get("status") or "").strip() or "301"
    try:
        if status not in ("301", "302"):
            raise redirects.RedirectRefused(f"status is {status[:20]}, not 301 or 302")
        key = redirect_paths.match_key(redirects.stored_old_path(written))
        if key in seen:
            raise redirects.RedirectRefused(f"the same old address as line {seen[key]}")
        before = snapshot(db.session.scalar(select(Redirect).filter_by(match_path=key)))
        with db.session.begin_nested():
            stored = redirects.add(written, row.get("target") or "", int(status), "csv")
    except redirects.RedirectRefused as refusal:
        return Line(number, written, "refused", str(refusal))
    seen[key] = number
    if before is None:
        outcome = "added"
    else:
        outcome = "unchanged" if snapshot(stored) == before else "changed"
    return Line(number, written, outcome, redirects.target_text(stored))


def snapshot(stored: Redirect | None) -> tuple | None:
    if stored is None:
        return None
    return (stored.old_path, stored.target_url, stored.article_id, stored.page_id, stored.status)
