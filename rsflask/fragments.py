"""The page-or-fragment decision that htmx requests need, and the Vary header it implies."""

from flask import Flask, Response, g, request

# The request headers htmx sends that decide between a page and a fragment.
HTMX_HEADERS = ("HX-Request", "HX-History-Restore-Request", "HX-Boosted")


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page; False for a browser asking for a page.

    A history restore (back button after a cache miss) and a boosted link both need the whole page.
    """
    g.varies_on_htmx = True
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Boosted") != "true"
    )


def _vary_on_htmx(response: Response) -> Response:
    if g.get("varies_on_htmx"):
        response.vary.update(HTMX_HEADERS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_vary_on_htmx)
