"""gunicorn settings for rsflask: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Options given on the command line win over these; GUNICORN_WORKERS and GUNICORN_BIND in the
environment (e.g. the systemd unit's environment file) change the two that differ most per host.
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

# nginx in front talks to gunicorn on the loopback; nothing else should reach it.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# gunicorn believes no forwarded header, from anyone: the app alone decides whose it believes
# (PROXY_COUNT: nginx's X-Forwarded-For, -Proto and -Host). By default gunicorn takes the scheme
# and, worse, the mount point (a SCRIPT_NAME header) from any process on the loopback, and it
# cannot tell nginx from the others there.
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""

# Sync workers: one request at a time each. Pages are rendered from the database and memory in
# milliseconds, and nginx buffers slow clients, so threads or green threads would add nothing.
worker_class = "sync"
# The usual 2 x cores + 1, capped: each worker holds the app and its page cache (~100 MB), and
# past a few workers one SQLite file gains nothing; PostgreSQL sites can raise it.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))

# A request that takes longer is stuck: the worker is killed and replaced (nginx waits 35 s).
timeout = 30
# On restart or reload, requests in flight get this long to finish.
graceful_timeout = 30
# Behind nginx, which keeps its own connections to clients.
keepalive = 2
# Workers are replaced now and then, so slow memory growth never adds up; the jitter keeps
# them from all restarting at the same moment. Rarely: a new worker pays for importing the app
# and starts with an empty page cache, which under a viral story's load (thousands of requests a
# second) showed as one-second stalls when this was every 2,000 requests.
max_requests = 100_000
max_requests_jitter = 10_000

# Each worker imports the app itself: a restart always loads new code, and no database
# connection is ever shared across a fork.
preload_app = False

# One line per request on stdout (the journal under systemd): who, what, status, size and
# duration in milliseconds. Page-cache hits, which never reach Flask, are logged here too.
accesslog = "-"
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


class AccessLogger(Logger):
    """gunicorn's logger, with what a client sent kept on its line.

    gunicorn refuses CR, LF and most other controls in a request, but lets a tab and the C1
    controls through in header values (NEL, U+0085, is a line break to many tools), and the
    User-Agent and X-Forwarded-For are logged as sent. Written as escapes instead, as the app
    does with its own lines (rsflask/logs.py; the master process never imports the app).
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: _printable(value) for name, value in atoms.items()}


def _printable(value):
    if not isinstance(value, str) or value.isprintable():
        return value
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in value)


logger_class = AccessLogger
errorlog = "-"
loglevel = "info"
