"""The WSGI entry point for gunicorn and friends: ``gunicorn wsgi:app``."""

from rsflask import create_app

# The web app alone: the flask commands stay with `flask --app rsflask`.
app = create_app(commands=False)
