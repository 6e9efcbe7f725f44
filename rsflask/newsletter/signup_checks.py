"""Which signups are acted on: those posted from this site's own pages, within the hourly limit
per client address. A form in cached pages cannot carry a CSRF token; these stand in for it."""

import time
from urllib.parse import urlsplit

from flask import current_app, request

from rsflask import limits

# SIGNUP_RATE_LIMIT counts signups per client address in clock hours (limits.py's windows).
WINDOW = 3600


def from_this_site() -> bool:
    """Whether the browser says the signup was posted from a page of this site.

    Sec-Fetch-Site, where sent (current browsers), decides; else Origin; else (older browsers,
    or Origin "null" under a no-referrer policy) a Referer from another site refuses, and none
    at all is let through: a forged signup can only make us email a confirmation, which the
    rate limits cap and which subscribes no one unless its reader presses the button.
    """
    ours = {request.host, urlsplit(current_app.config["SITE_URL"]).netloc}
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in ("same-origin", "same-site")
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc in ours
    referer = request.headers.get("Referer")
    return not referer or urlsplit(referer).netloc in ours


def allow_signup() -> bool:
    """Count this signup against the client address; False once it is over the hour's limit."""
    limit = current_app.config["SIGNUP_RATE_LIMIT"]
    return limits.allow(f"signup:{limits.client_address()}", limit, WINDOW)


def seconds_until_allowed() -> int:
    """Until the next window, when the client address may sign up again."""
    return WINDOW - int(time.time()) % WINDOW
