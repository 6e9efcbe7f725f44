"""Rendered pages kept and served without touching Flask, invalidated exactly.

A view that answers every reader alike says so where it is defined, with `@public_page(...)`
(public_pages.py), naming the query arguments it reads: only its answers are kept, and only
those arguments make a new entry. A kept page remembers the site's content generation it was
made at (generation.py) and is served only while that is still the current one, and only until
the next scheduled article's time. So the cost of a hit is one primary-key read and a lookup in
the store (each worker's memory, or Redis: page_store.py), and no reader ever gets a page from
before a change once that change is committed.
"""

import hashlib
import os
import time
import weakref
from urllib.parse import unquote_to_bytes, urlencode

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.http import parse_date

from rsflask.db import db
from rsflask.fragments import HTMX_HEADERS
from rsflask.limits import redis_client
from rsflask.page_store import Entry, MemoryStore, RedisStore
from rsflask.proxies import mount_point
from rsflask.redirect_lookup import REDIRECT_ID, count_hit
from rsflask.redirect_paths import OLD_QUERY_ARGUMENTS
from rsflask.shared_parts import next_change

# What a response may depend on besides the path and the arguments its view reads, as the server
# handed it over: where it says the site is mounted (which splits the path; proxies.py, inside
# this cache, joins and splits it again), the host and scheme asked for and the server's own name
# (absolute URLs in pages; the name stands in for a missing Host header), and the headers that
# make a page a fragment (fragments.py).
KEY_ENVIRON = (
    "SCRIPT_NAME",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PROTO",
    *(f"HTTP_{name.upper().replace('-', '_')}" for name in HTMX_HEADERS),
)

BODY_HEADERS = ("content-length", "content-type")
# What /index.php, a path the site has no route for, is keyed on: its redirect depends on them.
OLD_POST_QUERY = frozenset(name.encode() for name in OLD_QUERY_ARGUMENTS)


class PageCache:
    """WSGI middleware in front of the Flask app, keeping whole responses in a store."""

    def __init__(self, app: Flask, store: MemoryStore | RedisStore) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.store = store
        with app.app_context():
            self.engine = db.engine
        self.connection = None
        self.connection_pid = None
        self.database_errors = (SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error)
        self.mount_point = mount_point(app)
        # Each endpoint's declared arguments as the bytes keys are made of, found on first use.
        self.queries: dict[str, frozenset[bytes] | None] = {}
        self.routes = app.url_map.bind("localhost", script_name=self.mount_point or "/")
        # (generation, until) of next_scheduled_time.
        self.scheduled: tuple[int, float] | None = None

    def generation(self) -> int:
        """The site's generation, read straight through the driver.

        This runs on every hit, so it has a connection of its own, outside the pool: an app
        context, a pool checkout and the ORM's events and result objects would cost several times
        the query itself. It reads in autocommit (SQLite's connections are, see db.py), so
        each read sees the latest commit and no transaction is ever left open.
        """
        if self.connection is None or self.connection_pid != os.getpid():
            self.connect()
        try:
            cursor = self.connection.cursor()
            cursor.execute("SELECT generation FROM site_state WHERE id = 1")
            row = cursor.fetchone()
            cursor.close()
        except self.database_errors:
            # A broken connection (the server restarted): the next request opens another.
            self.close()
            raise
        return row[0] if row else 0

    def connect(self) -> None:
        if self.connection is not None:
            # Inherited through fork(): the parent's connection, never to be used or closed here.
            self.closer.detach()
        self.connection = self.engine.raw_connection()
        self.connection.detach()
        if self.engine.dialect.name != "sqlite":
            self.connection.dbapi_connection.autocommit = True
        self.connection_pid = os.getpid()
        self.closer = weakref.finalize(self, self.connection.close)

    def close(self) -> None:
        if self.connection is not None and self.connection_pid == os.getpid():
            self.closer()
            self.connection = None

    def next_scheduled_time(self, generation: int) -> float:
        """When the next scheduled article goes live, or MAX_AGE from now (shared_parts.py):
        cached pages may not outlive it. Found once per generation, as no article's time can
        change without a write, and again once that time has come."""
        found = self.scheduled
        if found and found[0] == generation and time.time() < found[1]:
            return found[1]
        with self.app.app_context(), db.engine.connect() as connection:
            connection.execution_options(read_only=True)
            until = next_change(connection.scalar)
        self.scheduled = (generation, until)
        return until

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        query = self.public_query(environ)
        if query is None:
            return self.wsgi_app(environ, start_response)
        key = (
            environ.get("PATH_INFO", ""),
            read_parameters(environ.get("QUERY_STRING", ""), query),
            *(environ.get(name, "") for name in KEY_ENVIRON),
        )
        try:
            generation = self.generation()
        except self.database_errors:
            # The database is down or locked: the app itself answers (a 503 page), uncached.
            return self.wsgi_app(environ, start_response)
        entry = self.store.get(key)
        if entry and entry.generation == generation and entry.valid_until > time.time():
            environ["rsflask.cache"] = "hit"
            if entry.redirect_id is not None:
                count_hit(self.engine, entry.redirect_id)
            return self.serve(entry, environ, start_response)
        if method == "HEAD":
            return self.wsgi_app(environ, start_response)
        environ["rsflask.cache"] = "miss"
        # The app reads the parts every page shares once per generation (site_settings.py,
        # shared_parts.py): these spare it reading the generation, and until when what it reads
        # stays true, again.
        environ["rsflask.generation"] = generation
        environ["rsflask.valid_until"] = self.next_scheduled_time(generation)
        return self.render_and_keep(key, generation, environ, start_response)

    def public_query(self, environ) -> frozenset[bytes] | None:
        """The query arguments the view for this path declared, or None if it is not public.

        The path is matched as the app will match it (proxies.MountPoint splits it at the
        configured mount point); a route's own redirect is never public. A path no route takes
        reads no argument: the app's answer there is a 404, never kept, or a stored redirect
        (redirect_lookup.py), kept like a page under the path alone, as it drops the query;
        except /index.php, whose redirect is chosen by WordPress's ?p= or ?page_id=.
        """
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if self.mount_point:
            if path != self.mount_point and not path.startswith(f"{self.mount_point}/"):
                return None
            path = path.removeprefix(self.mount_point)
        # PEP 3333 hands the path over as latin-1 text; the app decodes its bytes as UTF-8.
        path = path.encode("latin-1").decode("utf-8", "replace")
        try:
            endpoint, _ = self.routes.match(path, method="GET")
        except NotFound:
            return OLD_POST_QUERY if path == "/index.php" else frozenset()
        except HTTPException:
            return None
        if endpoint not in self.queries:
            query = getattr(self.app.view_functions.get(endpoint), "public_query", None)
            if query is not None:
                query = frozenset(name.encode() for name in query)
            self.queries[endpoint] = query
        return self.queries[endpoint]

    def serve(self, entry: Entry, environ, start_response):
        if not_modified(entry, environ):
            headers = [(k, v) for k, v in entry.headers if k.lower() not in BODY_HEADERS]
            start_response("304 NOT MODIFIED", headers)
            return []
        start_response(entry.status, entry.headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [entry.body]

    def render_and_keep(self, key, generation, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            if not keepable(status, headers, environ):
                return start_response(status, headers, exc_info)
            return None

        app_iter = self.wsgi_app(environ, capture)
        if not keepable(captured.get("status", ""), captured.get("headers", []), environ):
            return app_iter
        try:
            body = b"".join(app_iter)
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()
        headers = captured["headers"]
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        valid_until = environ["rsflask.valid_until"]
        redirect_id = environ.get(REDIRECT_ID)
        entry = Entry(generation, valid_until, captured["status"], headers, body, etag, redirect_id)
        self.store.keep(key, entry)
        start_response(captured["status"], headers)
        return [body]


def read_parameters(query_string: str, query: frozenset[bytes]) -> str:
    """The arguments in `query` of a query string, as the bytes the app decodes them to.

    Decoded, not matched as written: `?%70age=2` is `page=2` to the app, and must not be taken
    for the first page. Kept as bytes: decoding them as text here could make two queries that
    the app reads differently (an invalid byte and the character it is mistaken for) one entry.
    """
    if not query_string:
        return ""
    # PEP 3333 hands the query over as latin-1 text: this gives back its bytes.
    kept = []
    for field in query_string.encode("latin-1", "replace").split(b"&"):
        name, _, value = field.replace(b"+", b" ").partition(b"=")
        name = unquote_to_bytes(name)
        if name in query:
            kept.append((name, unquote_to_bytes(value)))
    return urlencode(kept)


def not_modified(entry: Entry, environ) -> bool:
    """The browser's copy is current: its ETag matches, or (without one) it is not older."""
    if "HTTP_IF_NONE_MATCH" in environ:
        return bool(entry.etag) and entry.etag in environ["HTTP_IF_NONE_MATCH"]
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    modified = parse_date(next((v for k, v in entry.headers if k.lower() == "last-modified"), None))
    return since is not None and modified is not None and modified <= since


def keepable(status: str, headers: list[tuple[str, str]], environ) -> bool:
    """A public view's 200 or a stored redirect's answer, unless it sets a cookie: that must
    never reach another reader."""
    answered = status.startswith("200") or REDIRECT_ID in environ
    return answered and not any(k.lower() == "set-cookie" for k, _ in headers)


def init_app(app: Flask) -> None:
    if not app.config["PAGE_CACHE_BYTES"]:
        return
    with app.app_context():
        redis = redis_client()
    if redis:
        # The site's own namespace in a Redis that other sites may share; derived from the
        # secret key, which every app server of one site has and no other site does.
        label = f"rsflask page cache {app.config['SECRET_KEY']}"
        site = hashlib.sha256(label.encode()).hexdigest()[:16]
        store = RedisStore(redis, site)
    else:
        store = MemoryStore(app.config["PAGE_CACHE_BYTES"])
    app.extensions["page_cache"] = app.wsgi_app = PageCache(app, store)
