"""The moment after a publish: steady reads of the front page, an article and LATEST through the
shipped nginx, while an editor publishes an article every 5 seconds for a minute.

    .venv/bin/python bench/publish_storm.py [--site DIR] [--quiet 10] [--storm 60] [--every 5]

Needs `wrk` and `nginx`. Each publish goes through the editor's form on gunicorn, as an editor's
browser would (the editor's cookie bypasses nginx's cache). It prints p99 over the whole run,
requests per second in each second, and the worst second of the storm against the median of the
quiet seconds before it.
"""

import argparse
import json
import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cluster_browser import publish, sign_in
from pages import VENV_BIN, fetch, shipped_site, workspace
from uncached import build_site

LUA = Path(__file__).with_name("paths_load.lua")


@dataclass
class Server:
    """Where the editor's browser goes: gunicorn itself (the `url` the editor helpers use)."""

    url: str
    name: str = "gunicorn"


def add_editor(site: Path) -> None:
    code = (
        "import sys\nfrom rsflask import create_app, models\nfrom rsflask.db import db\n"
        "app = create_app()\napp.app_context().push()\n"
        "user = db.session.scalar(db.select(models.User).filter_by(email=sys.argv[1]))\n"
        "user = user or models.User(email=sys.argv[1], role='editor', name='Storm editor')\n"
        "user.set_password(sys.argv[2])\ndb.session.add(user)\ndb.session.commit()\n"
    )
    from cluster_parts import EDITOR_EMAIL, EDITOR_PASSWORD

    env = {**os.environ, "RSFLASK_INSTANCE_PATH": str(site)}
    subprocess.run(
        [str(VENV_BIN / "python"), "-c", code, EDITOR_EMAIL, EDITOR_PASSWORD],
        env=env,
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path)
    parser.add_argument("--quiet", type=int, default=10)
    parser.add_argument("--storm", type=int, default=60)
    parser.add_argument("--every", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    nginx, folder = workspace(("wrk", "nginx"), "rsflask-storm-")
    site = args.site or build_site(0)
    add_editor(site)
    published = []
    with shipped_site(site, folder, nginx) as (app_port, site_port):
        gunicorn_server = Server(f"http://127.0.0.1:{app_port}")
        editor = sign_in(gunicorn_server)
        front = fetch(f"http://127.0.0.1:{site_port}/").decode()
        slug = front.split('href="/articles/', 1)[1].split('"', 1)[0]
        paths = ["/", f"/articles/{slug}", "hx:/latest"]
        seconds = args.quiet + args.storm
        command = [
            "wrk", "-t2", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "10s",
            "-s", str(LUA), f"http://127.0.0.1:{site_port}", "--", *paths,
        ]  # fmt: skip
        wrk = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        started = time.time()

        def storm() -> None:
            time.sleep(args.quiet)
            while time.time() - started < seconds - args.every / 2:
                began = time.time()
                statuses = publish(editor, gunicorn_server, gunicorn_server, f"Storm {began:.0f}")
                published.append((round(began - started, 1), statuses, time.time() - began))
                time.sleep(max(0, args.every - (time.time() - began)))

        threading.Thread(target=storm, daemon=True).start()
        output, _ = wrk.communicate(timeout=seconds + 120)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    first = int(started)
    per_second = [result["seconds"].get(str(first + n), 0) for n in range(seconds + 1)]
    quiet = statistics.median(per_second[1 : args.quiet])
    stormy = per_second[args.quiet + 1 : seconds]
    print(f"site {site}; {args.connections} connections on /, an article and LATEST")
    print(f"publishes (second, statuses, seconds taken): {published}")
    p50, p99 = result["p50_ms"], result["p99_ms"]
    print(f"answers {result['statuses']}; p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"per second: {per_second}")
    print(
        f"quiet median {quiet:.0f} a second; worst second of the storm {min(stormy)} "
        f"({min(stormy) / quiet:.2f} of quiet), storm median {statistics.median(stormy):.0f}"
    )


if __name__ == "__main__":
    main()
