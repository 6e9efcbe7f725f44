"""What a page costs when no cache can help: each page type rendered in-process, the page cache
emptied before each request, its median time, SQL statements (count, time, repeats) and
template time.

    .venv/bin/python bench/uncached.py [--count 0] [--site DIR] [--requests 300] [--profile PAGE]

`--count N` builds a site of N generated articles (`seed-demo --count N`; 0, the demo site), in
a folder it prints, which `--site DIR` reuses next time (a 100,000-article site takes two minutes
to build). Each page is asked once to warm up, then `--requests` times; the figures are medians
per request. "template" is the time inside render_template less the SQL run from inside it (lazy
loads); "other" the rest: the view's own Python, Flask, the WSGI call. Each request is the app
called as a WSGI server calls it, with the environ of a GET made once beforehand (a test
client's own work is not the app's). `--profile article` (or any page name) prints cProfile's
top functions for that page instead.
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from flask import before_render_template, template_rendered
from sqlalchemy import event
from werkzeug.test import EnvironBuilder

from rsflask.page_store import MemoryStore

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PAGES = {
    "article": "/articles/{article}",
    "front": "/",
    "section": "/sections/{section}",
    "tag": "/tags/{tag}",
    "author": "/authors/{author}",
    "latest": "/latest",
    "qiosk": "/qiosk",
    "search": "/search?q=energy+security",
}


def build_site(count: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"rsflask-uncached-{count}-"))
    env = {**os.environ, "RSFLASK_INSTANCE_PATH": str(folder)}
    flask = [str(VENV_BIN / "flask"), "--app", "rsflask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    seed = [*flask, "seed-demo"] + (["--count", str(count)] if count else [])
    subprocess.run(seed, env=env, check=True, capture_output=True)
    return folder


class Meter:
    """SQL statements and template time of the requests in between two reads."""

    def __init__(self, app) -> None:
        self.statements: list[str] = []
        self.sql = self.render = self.sql_in_render = 0.0
        self.rendering_since: float | None = None
        with app.app_context():
            engine = app.extensions["sqlalchemy"].engine

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn, cursor, statement, parameters, context, executemany):
            context._bench_started = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn, cursor, statement, parameters, context, executemany):
            spent = time.perf_counter() - context._bench_started
            self.sql += spent
            if self.rendering_since is not None:
                self.sql_in_render += spent
            self.statements.append(f"{statement} {parameters}")

        before_render_template.connect(self.render_starts, app)
        template_rendered.connect(self.render_ends, app)

    def render_starts(self, app, **extra) -> None:
        self.rendering_since = time.perf_counter()

    def render_ends(self, app, **extra) -> None:
        if self.rendering_since is not None:
            self.render += time.perf_counter() - self.rendering_since
            self.rendering_since = None

    def reset(self) -> None:
        self.statements = []
        self.sql = self.render = self.sql_in_render = 0.0


def slugs_of(app) -> dict[str, str]:
    from rsflask.db import db
    from rsflask.models import Article, Author, Section, Tag, published

    with app.app_context():
        # Not a QIOSK item: QIOSK's section page is /qiosk, measured apart.
        outside_qiosk = published().join(Article.section).where(Section.slug != "qiosk")
        article = db.session.scalars(outside_qiosk.limit(50)).all()[-1]
        return {
            "article": article.slug,
            "section": article.section.slug,
            "tag": (article.tags or db.session.scalars(db.select(Tag).limit(1)).all())[0].slug,
            "author": (article.authors or db.session.scalars(db.select(Author).limit(1)).all())[
                0
            ].slug,
            "unused": db.session.scalar(db.select(Section.slug).limit(1)),
        }


def forget_pages(app) -> None:
    """Empty the page cache, so that the next request is a miss, as a crawler's is: it goes the
    way a page the cache does not have goes in production (the cache reads the generation and
    keeps the page it gets) but is made from scratch."""
    app.extensions["page_cache"].store = MemoryStore(app.config["PAGE_CACHE_BYTES"])


def call(app, environ: dict) -> tuple[str, bytes]:
    """One request as a WSGI server makes it: the app called with a fresh copy of `environ`."""
    status = []
    body = b"".join(
        app({**environ, "wsgi.input": io.BytesIO()}, lambda s, h, e=None: status.append(s))
    )
    return status[0], body


def measure(app, path: str, requests: int) -> dict:
    environ, meter = EnvironBuilder(path=path).get_environ(), Meter(app)
    assert call(app, environ)[0] == "200 OK", path
    rows = []
    for _ in range(requests):
        meter.reset()
        forget_pages(app)
        started = time.perf_counter()
        status, _ = call(app, environ)
        total = time.perf_counter() - started
        assert status == "200 OK", path
        repeated = sum(n - 1 for n in Counter(meter.statements).values())
        template = meter.render - meter.sql_in_render
        rows.append((total, len(meter.statements), meter.sql, template, repeated))
    columns = list(zip(*rows, strict=True))
    total, statements, sql, template, repeated = (statistics.median(c) for c in columns)
    return {
        "median_ms": total * 1000,
        "p90_ms": sorted(columns[0])[int(len(rows) * 0.9)] * 1000,
        "statements": statements,
        "sql_ms": sql * 1000,
        "template_ms": template * 1000,
        "other_ms": (total - sql - template) * 1000,
        "repeated": repeated,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--site", type=Path)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", choices=PAGES)
    args = parser.parse_args()
    folder = args.site or build_site(args.count)
    os.environ["RSFLASK_INSTANCE_PATH"] = str(folder)
    from rsflask import create_app

    app = create_app({"REDIS_URL": None, "SEARCH_RATE_LIMIT": 10**9}, commands=False)
    # The app's access line per request is not what is measured here.
    logging.getLogger("rsflask").setLevel(logging.WARNING)
    app.logger.setLevel(logging.WARNING)
    slugs = slugs_of(app)
    if args.profile:
        environ = EnvironBuilder(path=PAGES[args.profile].format(**slugs)).get_environ()
        call(app, environ)
        profiler = cProfile.Profile()
        for _ in range(args.requests):
            forget_pages(app)
            profiler.runcall(call, app, environ)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    print(f"site {folder}; medians of {args.requests} requests, in milliseconds")
    heads = ("median", "p90", "SQL n", "SQL", "tmpl", "other")
    print(f"{'page':<10}" + "".join(f"{head:>8}" for head in heads) + f"{'rep':>5}")
    for name, pattern in PAGES.items():
        found = measure(app, pattern.format(**slugs), args.requests)
        print(
            f"{name:<10}{found['median_ms']:>8.2f}{found['p90_ms']:>8.2f}"
            f"{found['statements']:>8.0f}{found['sql_ms']:>8.2f}{found['template_ms']:>8.2f}"
            f"{found['other_ms']:>8.2f}{found['repeated']:>5.0f}"
        )


if __name__ == "__main__":
    main()
