"""gunicorn settings for rsflask: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Options given on the command line win over these; GUNICORN_WORKERS and GUNICORN_BIND in the
environment (e.g. the systemd unit's environment file) change the two that differ most per host.
"""

import multiprocessing
import os

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
# Cores + 1, not the usual 2 x cores + 1: a page the caches miss is CPU work on a local database,
# so more workers only take turns on the cores and evict each other's CPU caches. On 2 cores, a
# crawl of uncached articles (bench/crawl.py) got 346 to 414 pages a second with 5 workers, 448
# to 478 with 3. Capped: each worker holds the app and its page cache (under 80 MB). A site whose
# PostgreSQL is on another machine waits on the network, and may gain from more.
workers = int(os.environ.get("GUNICORN_WORKERS", min(multiprocessing.cpu_count() + 1, 9)))

# A request that takes longer is stuck: the worker is killed and replaced (nginx waits 35 s).
timeout = 30
# On restart or reload, requests in flight get this long to finish.
graceful_timeout = 30
# Behind nginx, which keeps its own connections to clients.
keepalive = 2
# Workers are replaced now and then, so slow memory growth never adds up; the jitter keeps
# them from all restarting at the same moment. Rarely: a new worker pays for importing the app
# and starts with an empty page cache; every 2,000 requests, that shows as one-second stalls
# under a viral story's load (thousands of requests a second).
max_requests = 100_000
max_requests_jitter = 10_000

# Each worker imports the app itself: a restart always loads new code, and no database
# connection is ever shared across a fork.
preload_app = False

# No access log: the app writes one line per request itself (rsflask/logs.py: method, path,
# status, duration, page-cache hit or miss, request id), page-cache hits included.
accesslog = None
errorlog = "-"
loglevel = "info"
