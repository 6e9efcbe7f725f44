"""The WSGI entry point for gunicorn and friends: ``gunicorn wsgi:app``."""

from rsflask import create_app

app = create_app()
