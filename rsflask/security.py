"""Security headers on every response, CSRF tokens on every form, and cookies that are Secure
wherever the site is HTTPS."""

from flask import Flask, Response, abort, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from rsflask import embeds, upload_limits

# Every POST carries a token from the form that sent it, but three views marked `csrf.exempt`:
# the newsletter signup (in cached pages, which cannot carry a token; it checks the request's
# origin instead), and the confirm and unsubscribe buttons of a newsletter email's links (the
# random token in their URL proves the request).
csrf = CSRFProtect()

# Everything the site loads is its own: one stylesheet, one script (htmx, configured through a
# meta tag, so no inline script) and photos. Article bodies may show images from other https
# sites (the sanitiser keeps http(s) image URLs), hence `img-src https:`. The favicon is inlined
# as a data: URL (one request fewer per first visit), hence `data:` for images only: an image
# never runs script, and the sanitiser drops data: URLs from what editors write anyway. No
# 'unsafe-inline', no 'unsafe-eval': htmx runs with allowEval off and never injects styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# A magazine needs none of these; saying so keeps embedded or injected code from asking.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Other sites learn that a reader came from us, not which article they were reading.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    # frame-ancestors says the same to current browsers; this is for older ones.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Pages and fragments are for this site: another site may link to them, not load them into
    # its own page (where a side channel could read them). What others do show, `embeddable()`.
    "Cross-Origin-Resource-Policy": "same-site",
}
# Two years, the span that HTTP Observatory and the preload list ask for.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"


class IdConverter(IntegerConverter):
    """`<int:...>` in routes, capped at the largest value of a 32-bit integer column.

    Werkzeug's own accepts any number of digits, and a larger one would reach the database as an
    error (SQLite: overflow; PostgreSQL: out of range) instead of the 404 it deserves.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def embeddable(response: Response) -> Response:
    """Lets any site load the response: feed readers and link cards show photos, feeds, icons."""
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def frame_sources(response: Response) -> str:
    """A frame-src naming exactly the players that the page's embeds may load (embeds.py), so
    that a page without embeds keeps default-src 'self' for frames."""
    if response.direct_passthrough or response.mimetype != "text/html":
        return ""
    hosts = embeds.frame_hosts(response.get_data(as_text=True))
    return "; frame-src " + " ".join(f"https://{host}" for host in sorted(hosts)) if hosts else ""


def _add_headers(response: Response) -> Response:
    # Static files are the same public bytes for everyone, and feeds name the icon among them.
    if request.endpoint == "static":
        embeddable(response)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    # Only over HTTPS (behind a proxy, PROXY_COUNT makes is_secure honour X-Forwarded-Proto):
    # HSTS over plain HTTP is ignored, and upgrading requests there would break a local site.
    policy = CONTENT_SECURITY_POLICY + frame_sources(response)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        policy += "; upgrade-insecure-requests"
    response.headers.setdefault("Content-Security-Policy", policy)
    return response


def _refuse_json() -> None:
    """Every form here is posted as a browser posts one. Flask-WTF reads a JSON body as the form
    instead, and one that is an array or a number fails inside it: 415, not a 500."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json:
        abort(415)


def init_app(app: Flask) -> None:
    # Unset, the cookie flags follow the public address: a site that is HTTPS sends its session
    # and remember-me cookies only over HTTPS. Runs before the editor sets its cookie defaults.
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["SITE_URL"].startswith("https://")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    app.url_map.converters["int"] = IdConverter
    app.after_request(_add_headers)
    # Before the CSRF check, which would read the body.
    app.before_request(_refuse_json)
    app.before_request(upload_limits.allow_large_form)
    csrf.init_app(app)
