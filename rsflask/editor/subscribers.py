"""Newsletter subscribers for editors: the list with search, CSV export and import, a chart."""

import csv
import io
import ipaddress
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select

from rsflask.db import db, escape_like, utcnow
from rsflask.editor import growth
from rsflask.editor.access import bp, roles_required
from rsflask.models import Subscriber
from rsflask.models.accounts import PUBLISHING_ROLES
from rsflask.models.newsletter import SUBSCRIBER_STATUSES
from rsflask.pagination import page_number
from rsflask.templating import format_iso
from rsflask.times import OffTheCalendar, naive_utc

PER_PAGE = 50
CSV_COLUMNS = (
    "email",
    "status",
    "signed_up_at",
    "signup_ip",
    "confirmed_at",
    "confirm_ip",
    "unsubscribed_at",
)
TIME_COLUMNS = ("signed_up_at", "confirmed_at", "unsubscribed_at")
IP_COLUMNS = ("signup_ip", "confirm_ip")
# A cell starting with one of these is a formula to a spreadsheet: an address like
# =HYPERLINK(...)@example.org must not run when an editor opens the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file to import.")],
        description="UTF-8, first line naming the columns: email, and any of "
        + ", ".join(CSV_COLUMNS[1:])
        + ". Rows without a status are taken as confirmed.",
    )


@bp.get("/newsletter")
@roles_required(*PUBLISHING_ROLES)
def subscribers():
    """Subscribers, newest signup first, with counts by status, a status filter and search."""
    status = request.args.get("status", "")
    search = request.args.get("q", "").strip()[:200]
    if status and status not in SUBSCRIBER_STATUSES:
        abort(404)
    counts = dict(
        db.session.execute(
            select(Subscriber.status, func.count()).group_by(Subscriber.status)
        ).all()
    )
    query = select(Subscriber).order_by(Subscriber.signed_up_at.desc(), Subscriber.id.desc())
    if status:
        query = query.where(Subscriber.status == status)
    if search:
        pattern = f"%{escape_like(search.lower())}%"
        query = query.where(Subscriber.email.like(pattern, escape="\\"))
    page = db.paginate(query, page=page_number(), per_page=PER_PAGE, max_per_page=PER_PAGE)
    return render_template(
        "editor/subscribers.html",
        subscribers=page,
        counts=counts,
        total=sum(counts.values()),
        status=status,
        search=search,
        statuses=SUBSCRIBER_STATUSES,
    )


@bp.post("/newsletter/<int:subscriber_id>/unsubscribe")
@roles_required(*PUBLISHING_ROLES)
def unsubscribe_subscriber(subscriber_id: int):
    """Unsubscribe someone who asked another way: a reply, or the List-Unsubscribe address."""
    subscriber = db.get_or_404(Subscriber, subscriber_id)
    if subscriber.status != "unsubscribed":
        subscriber.status, subscriber.unsubscribed_at = "unsubscribed", utcnow()
        db.session.commit()
    flash(f"{subscriber.email} is unsubscribed.", "success")
    return redirect(url_for("editor.subscribers", q=subscriber.email), 303)


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@bp.get("/newsletter/subscribers.csv")
@roles_required(*PUBLISHING_ROLES)
def export_subscribers():
    """Every subscriber with their consent record, as CSV (times in UTC, ISO 8601)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for s in db.session.scalars(select(Subscriber).order_by(Subscriber.id)):
        writer.writerow(
            [
                spreadsheet_safe(s.email),
                s.status,
                format_iso(s.signed_up_at),
                s.signup_ip,
                format_iso(s.confirmed_at),
                s.confirm_ip,
                format_iso(s.unsubscribed_at),
            ]
        )
    response = make_response(out.getvalue())
    response.mimetype = "text/csv"
    filename = f"subscribers-{utcnow():%Y-%m-%d}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no cache, shared or private, keeps a copy.
    response.cache_control.no_store = True
    return response


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing of it is imported."""


class RowRefused(Exception):
    """One row cannot be imported; the message says why."""


@dataclass
class ImportReport:
    imported: int = 0
    # (line number, the address as written, why the row was refused)
    refused: list[tuple[int, str, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@bp.route("/newsletter/import", methods=["GET", "POST"])
@roles_required(*PUBLISHING_ROLES)
def import_subscribers():
    """Add subscribers from a CSV file, with a report of the rows refused and why."""
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("editor/subscribers_import.html", form=form), status
    try:
        report = import_csv(form.file.data.read())
    except ImportFileError as error:
        db.session.rollback()
        form.file.errors = [str(error)]
        return render_template("editor/subscribers_import.html", form=form), 422
    db.session.commit()
    # The report is the answer itself, not a redirect: it exists only in this response, and
    # sending the same file again changes nothing (every row is then refused as a duplicate).
    return render_template("editor/subscribers_import.html", form=ImportForm(), report=report)


def import_csv(data: bytes) -> ImportReport:
    """Add the file's new addresses; addresses already on the list are never changed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError("The file is not UTF-8 text. Save it as “CSV UTF-8”.") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise ImportFileError(f"The file is not CSV: {error}.") from error
    if "email" not in header:
        raise ImportFileError(
            "The first line must name the columns, one of them email, e.g. " + ",".join(CSV_COLUMNS)
        )
    reader.fieldnames = header
    report = ImportReport(ignored_columns=[n for n in header if n not in CSV_COLUMNS])
    now, lines = utcnow(), {}
    rows: list[tuple[int, str, Subscriber]] = []
    try:
        for row in reader:
            written = (row.get("email") or "").strip()
            try:
                subscriber = parse_row(row, now)
                if subscriber.email in lines:
                    raise RowRefused(f"same address as line {lines[subscriber.email]}")
            except RowRefused as refusal:
                report.refused.append((reader.line_num, written, str(refusal)))
                continue
            lines[subscriber.email] = reader.line_num
            rows.append((reader.line_num, written, subscriber))
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num} is not valid CSV: {error}.") from error
    known = known_addresses([subscriber.email for _, _, subscriber in rows])
    for line, written, subscriber in rows:
        if subscriber.email in known:
            report.refused.append((line, written, "already on the list (left as it is)"))
        else:
            db.session.add(subscriber)
            report.imported += 1
    report.refused.sort()
    return report


def known_addresses(emails: list[str]) -> set[str]:
    known = set()
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        known.update(
            db.session.scalars(select(Subscriber.email).where(Subscriber.email.in_(chunk)))
        )
    return known


def parse_row(row: dict, now: datetime) -> Subscriber:
    """A new subscriber from one row, marked as imported; RowRefused says what is wrong."""
    written = (row.get("email") or "").strip()
    if len(written) > 1 and written[0] == "'" and written[1] in FORMULA_STARTS:
        written = written[1:]  # as the export protected it
    try:
        email = validate_email(written, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise RowRefused("not a valid email address") from error
    status = (row.get("status") or "").strip().lower() or "confirmed"
    if status not in SUBSCRIBER_STATUSES:
        raise RowRefused(f"unknown status “{status[:40]}” (pending, confirmed or unsubscribed)")
    times = {column: parse_time(row.get(column), column, now) for column in TIME_COLUMNS}
    addresses = {column: parse_ip(row.get(column), column) for column in IP_COLUMNS}
    return Subscriber(
        email=email,
        status=status,
        signed_up_at=times["signed_up_at"] or now,
        confirmed_at=times["confirmed_at"],
        unsubscribed_at=times["unsubscribed_at"],
        imported_at=now,
        **addresses,
    )


def parse_time(value: str | None, column: str, now: datetime) -> datetime | None:
    """ISO 8601; a time without a zone is taken as UTC."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise RowRefused(f"{column} is not a date and time like 2026-11-20T09:30:00Z") from error
    if moment.tzinfo is not None:
        try:
            moment = naive_utc(moment)
        except OffTheCalendar as error:
            raise RowRefused(f"{column}: {error}") from error
    if moment > now:
        raise RowRefused(f"{column} is in the future")
    return moment


def parse_ip(value: str | None, column: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError as error:
        raise RowRefused(f"{column} is not an IP address") from error


@bp.get("/newsletter/chart")
@roles_required(*PUBLISHING_ROLES)
def subscriber_chart():
    """Confirmed subscribers over time, drawn as SVG here, with the numbers as a table."""
    rows = db.session.execute(
        select(
            Subscriber.status,
            Subscriber.signed_up_at,
            Subscriber.confirmed_at,
            Subscriber.unsubscribed_at,
            Subscriber.imported_at,
        ).where(Subscriber.status != "pending")
    ).all()
    unit, series = growth.series(rows, utcnow())
    return render_template(
        "editor/subscriber_chart.html", unit=unit, series=series, chart=growth.geometry(series)
    )
