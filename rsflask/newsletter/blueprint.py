"""The newsletter's blueprint, which its view modules add their routes to."""

from flask import Blueprint

bp = Blueprint("newsletter", __name__, url_prefix="/newsletter")
