"""The newsletter: signup with double opt-in, unsubscribe, the weekly round-up and its archive."""

from flask import Blueprint

bp = Blueprint("newsletter", __name__, url_prefix="/newsletter")

from rsflask.newsletter import archive, signup  # noqa: E402, F401  (registers the routes)
