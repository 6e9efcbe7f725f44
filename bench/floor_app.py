"""The most any Python page can reach here: a WSGI app that returns fixed bytes.

Run under the same gunicorn configuration as the site; BENCH_FLOOR_FILE names the bytes to send.
"""

import os
from pathlib import Path

BODY = Path(os.environ["BENCH_FLOOR_FILE"]).read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
