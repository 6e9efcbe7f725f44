"""Lighthouse (mobile) scores of the front page, an article and the demo's showcase article
(photos in its body, embeds, a table, a footnote, notes), served as a deployed site is.

    .venv/bin/python bench/lighthouse.py [--runs 3]

Needs node and npm (it installs lighthouse@12.2.3, which runs on Node 20, into a temporary
folder), Debian's chromium and nginx. It builds a demo site, starts gunicorn with the shipped
configuration behind the shipped nginx site (gzip, Brotli where nginx has the module, and the
compressed static copies that docs/deploy.md makes), and prints each category's score (the
median of the runs, since performance moves between runs), the page's bytes and requests,
whether text is compressed, and every audit that fell short.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import VENV_BIN, free_port, gunicorn, nginx_site_conf, stop, wait_for, workspace

from rsflask.demo import SHOWCASE_SLUG

LIGHTHOUSE = "lighthouse@12.2.3"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"


def lighthouse(tools: Path, url: str, report: Path) -> dict:
    command = [
        *(tools / "node_modules" / ".bin" / "lighthouse", url, "--quiet"),
        *("--output=json", f"--output-path={report}", f"--chrome-flags={CHROME_FLAGS}"),
        f"--chrome-path={shutil.which('chromium')}",
        "--only-categories=performance,accessibility,best-practices,seo",
    ]
    # Lighthouse now and then fails to record a trace (NO_NAVSTART): such a run is run again.
    for _ in range(3):
        if subprocess.run(command).returncode == 0:
            return json.loads(report.read_text())
    raise SystemExit(f"lighthouse failed three times on {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    nginx, folder = workspace(("npm", "chromium", "nginx"), "rsflask-lighthouse-")
    tools = folder / "tools"
    subprocess.run(
        ["npm", "install", "--silent", "--prefix", str(tools), "-E", LIGHTHOUSE], check=True
    )

    instance = folder / "instance"
    env = {**os.environ, "RSFLASK_INSTANCE_PATH": str(instance), "RSFLASK_PROXY_COUNT": "1"}
    flask = [str(VENV_BIN / "flask"), "--app", "rsflask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo"], env=env, check=True, capture_output=True)
    # The static files' compressed copies, as docs/deploy.md makes them.
    subprocess.run([*flask, "compress-static"], env=env, check=True, capture_output=True)

    app_port, site_port = free_port(), free_port()
    app = gunicorn("wsgi:app", app_port, env, folder / "app.log")
    try:
        wait_for(f"http://127.0.0.1:{app_port}/healthz")
        conf = nginx_site_conf(folder, site_port, app_port, instance)
        (folder / "nginx-cache").mkdir()
        (folder / "nginx.conf").write_text(conf.replace("nginx-site.pid", "nginx.pid"))
        subprocess.run([nginx, "-c", str(folder / "nginx.conf")], check=True)
        # The site answers as localhost, the server name the bench gives it.
        base = f"http://localhost:{site_port}"
        wait_for(base + "/healthz")
        front = urllib.request.urlopen(base + "/").read().decode()
        article = re.search(r'href="(/articles/[a-z0-9-]+)"', front).group(1)
        pages = {"front": "/", "article": article, "showcase": f"/articles/{SHOWCASE_SLUG}"}
        reports: dict[str, list[dict]] = {name: [] for name in pages}
        # Round by round, so that a change in the machine's load weighs on every page alike.
        for run in range(args.runs):
            for name, path in pages.items():
                report = lighthouse(tools, base + path, folder / f"{name}-{run}.json")
                reports[name].append(report)
        for name, path in pages.items():
            print_summary(path, reports[name])
    finally:
        pid_file = folder / "nginx.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGQUIT)
        stop(app)
        print(f"\nreports and logs in {folder}")


def print_summary(path: str, reports: list[dict]) -> None:
    scores = {
        category["title"]: statistics.median(
            round(r["categories"][key]["score"] * 100) for r in reports
        )
        for key, category in reports[0]["categories"].items()
    }
    print(path)
    print("  " + ", ".join(f"{title}: {score:g}" for title, score in scores.items()))
    report = reports[len(reports) // 2]
    audits = report["audits"]
    kb = audits["total-byte-weight"]["numericValue"] / 1024
    requests = len(audits["network-requests"]["details"]["items"])
    print(f"  {kb:.0f} KB over the wire in {requests} requests (with photos)")
    metrics = (
        "first-contentful-paint",
        "largest-contentful-paint",
        "total-blocking-time",
        "cumulative-layout-shift",
    )
    print("  " + ", ".join(f"{audits[m]['title']} {audits[m]['displayValue']}" for m in metrics))
    # Its score mode is "metricSavings" in Lighthouse 12, so the loop below would not show it.
    compression = audits["uses-text-compression"]
    verdict = "passed" if compression["score"] == 1 else f"failed {compression['displayValue']}"
    print(f"  {compression['title']}: {verdict}")
    for audit in audits.values():
        if audit["scoreDisplayMode"] in ("binary", "numeric") and (audit["score"] or 0) < 1:
            print(f"  short: {audit['title']} {audit.get('displayValue', '')}")


if __name__ == "__main__":
    main()
