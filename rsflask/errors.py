"""Error answers: a styled page for browsers, a small fragment for htmx swaps."""

from contextlib import suppress

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from rsflask import markup
from rsflask.db import db
from rsflask.fragments import wants_fragment

# A locked, restarting or unreachable database, or every pooled connection busy: worth retrying.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
# Seconds a reader is asked to wait before trying again when the database is unavailable.
DATABASE_RETRY_AFTER = 5

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please check it and try again."),
    403: ("Not allowed", "You do not have permission to see this page."),
    404: ("Page not found", "There is no page at this address. It may have moved."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    410: ("Article removed", "This article has been removed and is no longer available."),
    413: ("Too large", "What you sent is larger than we accept."),
    415: ("Not accepted", "This address takes forms as a browser sends them, not other data."),
    429: ("Slow down", "Too many requests in a short time. Please wait a little and try again."),
    500: ("Something went wrong", "An error on our side stopped this page. We have been told."),
    503: ("Briefly unavailable", "The site is busy for a moment. Please try again shortly."),
}


def render_error(error: HTTPException):
    code = error.code or 500
    title, message = MESSAGES.get(code, (error.name, error.description))
    if isinstance(error, CSRFError):
        title, message = "Form expired", "The form expired. Please reload the page and try again."
    if code == 413 and request.max_content_length:
        # Said in the units a file's size is shown in, so that the sender knows what will go;
        # the request's own limit, which a form that takes larger files raises (upload_limits.py).
        most = request.max_content_length / 1024 / 1024
        message = f"{message} The most is {most:.3g} MB at once: please send a smaller file."
    template = "errors/_error.html" if wants_fragment() else "errors/error.html"
    # Keep what the error says beyond its body, such as Allow on a 405 or Retry-After on a 429.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return render_template(template, code=code, title=title, message=message), code, headers


def database_unavailable(error: SQLAlchemyError):
    """A 503 to retry later instead of a traceback; nothing of this request was committed."""
    current_app.logger.warning("Database unavailable: %s", error)
    with suppress(SQLAlchemyError):
        db.session.rollback()
    return render_error(ServiceUnavailable(retry_after=DATABASE_RETRY_AFTER))


def too_complex(error: markup.TooComplex):
    """A 422 saying why, for any text that reaches the renderer outside a form that shows it."""
    with suppress(SQLAlchemyError):
        db.session.rollback()
    template = "errors/_error.html" if wants_fragment() else "errors/error.html"
    title = "Not formatted"
    return render_template(template, code=422, title=title, message=str(error)), 422


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(markup.TooComplex, too_complex)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, database_unavailable)
