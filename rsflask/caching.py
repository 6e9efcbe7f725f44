"""Conditional GET: every page and fragment carries an ETag, so a repeat visit costs a 304.

Pages of the blueprints below never use the session: they are the same for every reader, so they
are marked public, which lets the page cache (page_cache.py) and the shipped nginx keep them.
"""

from flask import Flask, Response, current_app, request

SHARED_BLUEPRINTS = {"reader", "feeds", "search"}
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
            if request.blueprint in SHARED_BLUEPRINTS:
                response.cache_control.public = True
                # How long the shipped nginx may keep it; nginx does not pass this header on.
                response.headers["X-Accel-Expires"] = str(current_app.config["NGINX_CACHE_SECONDS"])
        response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_make_conditional)
