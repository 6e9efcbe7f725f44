"""Resident memory of one gunicorn worker after 10,000 requests across the site's pages.

.venv/bin/python bench/memory.py [--requests 10000] [--distinct]

The requests cycle through the pages the front page links to, each with a tracking parameter
that changes (as links shared with `?fbclid=...` do), which the page cache keeps as one entry.
`--distinct` asks a different search instead each time, the worst case: every request a page of
its own, until the page cache is full (PAGE_CACHE_BYTES).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import VENV_BIN, free_port, start, stop, wait_for


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--distinct", action="store_true", help="every request a page of its own")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rsflask-memory-"))
    # One client asks for everything: the search limit per address would answer 429.
    env = {
        **os.environ,
        "RSFLASK_INSTANCE_PATH": str(folder / "instance"),
        "RSFLASK_SEARCH_RATE_LIMIT": "1000000",
    }
    flask = [str(VENV_BIN / "flask"), "--app", "rsflask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo"], env=env, check=True, capture_output=True)
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--workers", "1"]
    command += ["--bind", f"127.0.0.1:{port}", "--max-requests", "0", "wsgi:app"]
    server = start(command, env, folder / "app.log")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz")
        front = urllib.request.urlopen(base + "/").read().decode()
        paths = sorted(
            set(re.findall(r'href="(/(?:articles|sections|tags|authors|types)/[^"]+)"', front))
        )
        paths += ["/", "/latest", "/qiosk", "/feeds/all.atom", "/sitemap.xml", "/search?q=europe"]
        worker = int(
            subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()[0]
        )
        print(f"worker {worker}: {rss_mb(worker):.1f} MB after start")
        for number in range(args.requests):
            if args.distinct:
                url = f"{base}/search?q=europe+{number}"
            else:
                path = paths[number % len(paths)]
                url = base + path + ("&" if "?" in path else "?") + f"n={number % 500}"
            with urllib.request.urlopen(url) as r:
                r.read()
        print(f"worker {worker}: {rss_mb(worker):.1f} MB after {args.requests} requests")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
