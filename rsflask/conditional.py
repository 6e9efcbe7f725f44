"""Conditional GET: every page and fragment carries an ETag, so a repeat visit costs a 304."""

from flask import Flask, Response, request

CONDITIONAL_TYPES = {"text/html", "application/atom+xml", "application/xml", "text/plain"}


def _make_conditional(response: Response) -> Response:
    if (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.direct_passthrough
        and response.mimetype in CONDITIONAL_TYPES
    ):
        response.add_etag()
        if not response.cache_control.max_age and not response.cache_control.no_store:
            # Browsers keep the page but ask again each time; the ETag makes asking cheap.
            response.cache_control.no_cache = True
        response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_make_conditional)
