"""How long the shipped nginx may keep a page: `X-Accel-Expires` on every public page.

nginx reads the header and does not pass it on; its configuration (deploy/nginx/rsflask.conf)
keeps nothing that lacks it. A page is public when its view says so (page_cache.public_page).
"""

from flask import Flask, Response, current_app


def _tell_nginx(response: Response) -> Response:
    cache_control = response.cache_control
    if response.status_code == 200 and cache_control.public and not cache_control.max_age:
        response.headers["X-Accel-Expires"] = str(current_app.config["NGINX_CACHE_SECONDS"])
    return response


def init_app(app: Flask) -> None:
    app.after_request(_tell_nginx)
