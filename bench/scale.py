"""Does the site stay fast at 100,000 articles? Latency of the main pages at 1,000 and 100,000.

    .venv/bin/python bench/scale.py [--large 100000] [--small 1000] [--requests 200]

For each size it builds a site in a temporary folder with `flask seed-demo --count N` (timed),
starts gunicorn with the shipped configuration and the page cache OFF (so every request renders
and queries), asks each page `--requests` times one after the other, and prints the median and
p90 latency and the ratio large / small, which should stay under 1.5.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import VENV_BIN, free_port, gunicorn, stop, wait_for

PAGES = ["/articles/{slug}", "/", "/sections/europe", "/latest", "/search?q=energy+security"]


def build_site(count: int) -> tuple[Path, float]:
    folder = Path(tempfile.mkdtemp(prefix=f"rsflask-scale-{count}-"))
    env = {**os.environ, "RSFLASK_INSTANCE_PATH": str(folder / "instance")}
    flask = [str(VENV_BIN / "flask"), "--app", "rsflask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([*flask, "seed-demo", "--count", str(count)], env=env, check=True)
    return folder, time.perf_counter() - started


def latencies(url: str, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(folder: Path, requests: int) -> dict[str, tuple[float, float]]:
    env = {
        **os.environ,
        "RSFLASK_INSTANCE_PATH": str(folder / "instance"),
        "RSFLASK_PAGE_CACHE_BYTES": "0",
        "RSFLASK_SEARCH_RATE_LIMIT": "1000000",
    }
    port = free_port()
    server = gunicorn("wsgi:app", port, env, folder / "app.log")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz")
        front = urllib.request.urlopen(base + "/").read().decode()
        slug = re.search(r'href="/articles/([a-z0-9-]+)"', front).group(1)
        results = {}
        for page in PAGES:
            url = base + page.format(slug=slug)
            latencies(url, 10)
            times = sorted(latencies(url, requests))
            results[page] = (statistics.median(times), times[int(len(times) * 0.9)])
        return results
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    sites = {}
    for count in (args.small, args.large):
        folder, seconds = build_site(count)
        print(f"seed-demo --count {count}: {seconds:.0f} s")
        sites[count] = measure(folder, args.requests)
    print(f"\n{'page':<22}{'median ms':>22}{'p90 ms':>22}{'ratio':>8}")
    print(f"{'':<22}{args.small:>11}{args.large:>11}{args.small:>11}{args.large:>11}")
    for page in PAGES:
        small, large = sites[args.small][page], sites[args.large][page]
        print(
            f"{page:<22}{small[0]:>11.2f}{large[0]:>11.2f}{small[1]:>11.2f}{large[1]:>11.2f}"
            f"{large[0] / small[0]:>8.2f}"
        )


if __name__ == "__main__":
    main()
