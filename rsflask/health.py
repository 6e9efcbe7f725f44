"""GET /healthz: whether the app and its database answer, for monitors and load balancers."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from rsflask.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers a trivial query; 503, which takes the server out, if not."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        current_app.logger.exception("Health check: the database did not answer")
        database = "error"
    response = jsonify(status=database, database=database)
    response.status_code = 200 if database == "ok" else 503
    # A monitor must see the answer of now, never one kept by a cache on the way.
    response.cache_control.no_store = True
    return response
