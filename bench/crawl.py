"""A crawler on the long tail: distinct articles of a large site in random order, each fetched
once, so that no cache has seen any of them: through the shipped nginx, and straight from
gunicorn (the shipped configuration).

    .venv/bin/python bench/crawl.py [--count 100000] [--site DIR] [--urls 10000] [--connections 8]
                                    [--gzip]

Needs `wrk` and `nginx`. `--site DIR` reuses a site that bench/uncached.py or an earlier run built
(building 100,000 articles takes about two minutes). The two runs fetch two different samples,
and 300 other articles first, to warm each worker up. It prints requests per second, p50, p99,
and every answer that was not a 200.

Eight connections by default: a search engine's crawler keeps a few open to one site, and no
site answers 400 requests a second with a p99 under 50 ms with many more in flight: at 32 in
flight, a request takes 32 / 400 s = 80 ms on average, by Little's law.
`--gzip` asks for compressed pages, as crawlers do, which nginx then compresses for each.
"""

import argparse
import json
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from pages import free_port, shipped_site, workspace
from uncached import build_site

LUA = Path(__file__).with_name("crawl.lua")
THREADS = 2


def published_slugs(site: Path) -> list[str]:
    with sqlite3.connect(site / "rsflask.sqlite3") as connection:
        rows = connection.execute(
            "SELECT slug FROM articles WHERE status = 'published' AND published_at <= "
            "datetime('now')"
        ).fetchall()
    return [slug for (slug,) in rows]


def crawl(url: str, paths: list[str], folder: Path, connections: int, gzip: bool = False) -> dict:
    listing = folder / f"paths-{free_port()}.txt"
    listing.write_text("\n".join(paths) + "\n")
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{connections}",
        "-d600s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        url,
        "--",
        str(listing),
        str(THREADS),
        "gzip" if gzip else "identity",
    ]
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    done = [Path(f"{listing}.done-{thread}") for thread in range(THREADS)]
    while wrk.poll() is None and not all(path.exists() for path in done):
        time.sleep(0.05)
    wrk.send_signal(signal.SIGINT)
    output, _ = wrk.communicate(timeout=60)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["duration_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--site", type=Path)
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--gzip", action="store_true", help="ask for gzip, as crawlers do")
    args = parser.parse_args()
    nginx, folder = workspace(("wrk", "nginx"), "rsflask-crawl-")
    site = args.site or build_site(args.count)
    slugs = published_slugs(site)
    random.shuffle(slugs)
    warm_up, through_nginx, from_gunicorn = (
        [f"/articles/{slug}" for slug in part]
        for part in (
            slugs[:300],
            slugs[300 : 300 + args.urls],
            slugs[300 + args.urls :][: args.urls],
        )
    )
    with shipped_site(site, folder, nginx) as (app_port, site_port):
        crawl(f"http://127.0.0.1:{app_port}", warm_up, folder, args.connections)
        results = {
            "through the shipped nginx": crawl(
                f"http://127.0.0.1:{site_port}", through_nginx, folder, args.connections, args.gzip
            ),
            "straight from gunicorn": crawl(
                f"http://127.0.0.1:{app_port}", from_gunicorn, folder, args.connections, args.gzip
            ),
        }
    encoding = ", gzip" if args.gzip else ""
    print(
        f"site {site}; {args.urls} distinct articles each way, "
        f"{args.connections} connections{encoding}"
    )
    for name, result in results.items():
        print(
            f"{name:<28}{result['rps']:>8.0f} a second, p50 {result['p50_ms']:.1f} ms, "
            f"p99 {result['p99_ms']:.1f} ms, {result['requests']} requests, answers "
            f"{result['statuses']}, connection errors {result['errors']}"
        )


if __name__ == "__main__":
    main()
