"""Where a request came from and where the site lives: only the settings say, never a client.

Every link in a page is built from the request's scheme, host and mount point (SCRIPT_NAME), and
public pages are kept and served to every reader (page_cache.py). So X-Forwarded-* headers are
believed from as many proxies as PROXY_COUNT says, and the mount point is SITE_URL's path,
whatever the WSGI server hands over: gunicorn, for one, takes a SCRIPT_NAME from a request header
sent from the loopback, and a page rendered under `//evil.example` links every reader there.
"""

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix


class MountPoint:
    """WSGI middleware that puts the app at `script_name` ("" for the root of the host).

    The server's SCRIPT_NAME and PATH_INFO together are the path the client asked for; that path
    is split again at the configured mount point, and a path outside it is not found.
    """

    def __init__(self, wsgi_app, script_name: str) -> None:
        self.wsgi_app = wsgi_app
        self.script_name = script_name

    def __call__(self, environ, start_response):
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        inside = path == self.script_name or path.startswith(f"{self.script_name}/")
        if self.script_name and not inside:
            return NotFound()(environ, start_response)
        environ["SCRIPT_NAME"] = self.script_name
        environ["PATH_INFO"] = path.removeprefix(self.script_name)
        return self.wsgi_app(environ, start_response)


def mount_point(app: Flask) -> str:
    """Where SITE_URL puts the site on its host: "" for the root, else a path like "/magazine"."""
    return urlsplit(app.config["SITE_URL"]).path.rstrip("/")


def init_app(app: Flask) -> None:
    app.wsgi_app = MountPoint(app.wsgi_app, mount_point(app))
    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
