"""Load the site's pages with wrk and compare them with two ceilings measured in the same run.

    .venv/bin/python bench/pages.py [--duration 5] [--rounds 3] [--connections 32] [--articles 0]

Needs `wrk` and `nginx` (Debian packages). It builds a demo site in a temporary folder, starts
the app under gunicorn with deploy/gunicorn.conf.py, and beside it (1) nginx serving the same
rendered pages as static files and (2) bench/floor_app.py returning the same bytes under the same
gunicorn configuration. It also runs the app with its page cache off (a naive render) and the app
behind the shipped nginx configuration. For the article page, the front page, the keep-reading
fragment and the latest fragment it prints requests per second, p50 and p99 latency, errors, and
the ratios app / static and app / WSGI floor.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
NGINX_SITE = ROOT / "deploy" / "nginx" / "rsflask.conf"
BROTLI_MODULES = [
    Path("/usr/lib/nginx/modules") / f"ngx_http_brotli_{part}_module.so"
    for part in ("filter", "static")
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered at {url}")


def fetch(url: str, headers: dict | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def wrk_command(url: str, connections: int, headers: dict | None) -> list[str]:
    command = ["wrk", "-t2", f"-c{connections}", "--latency", url]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    return command


def warm_up(url: str, connections: int, headers: dict | None = None) -> None:
    """Each worker's first hit renders the page and compiles its templates: not what we measure."""
    subprocess.run(
        [*wrk_command(url, connections, headers), "-d2s"], capture_output=True, check=True
    )


def median_round(rounds: list[dict], server: str) -> dict:
    ordered = sorted((r[server] for r in rounds), key=lambda result: result["rps"])
    return ordered[len(ordered) // 2]


def run_wrk(url: str, duration: int, connections: int, headers: dict | None = None) -> dict:
    # A pause first, so that no server's leftover work from the previous run counts here.
    time.sleep(1)
    command = [*wrk_command(url, connections, headers), f"-d{duration}s"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency(output, "50%"),
        "p99": latency(output, "99%"),
        "errors": sum(
            int(n)
            for n in re.findall(r"(?:Non-2xx or 3xx responses|errors: .*?):?\s+(\d+)", output)
        ),
    }


def latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def gunicorn(app: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}"]
    # The shipped configuration's logging: no access log of gunicorn's (the app writes its own).
    command += ["--chdir", str(ROOT), app]
    return start(command, env, log)


def nginx_static_conf(folder: Path, port: int) -> str:
    return f"""
worker_processes auto;
pid {folder}/nginx-static.pid;
error_log {folder}/nginx-static-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  default_type text/html;
  server {{
    listen 127.0.0.1:{port};
    root {folder}/static-pages;
    location / {{ try_files $uri =404; }}
  }}
}}
"""


def nginx_site_conf(folder: Path, port: int, upstream: int, instance: Path) -> str:
    """The shipped site's main server block on a loopback port, without TLS, paths pointed here."""
    site = NGINX_SITE.read_text()
    head = site[: site.index("server {")]
    main = site[site.rindex("server {") :]
    main = re.sub(r"\n\s*(listen|server_name|ssl_[a-z_]+) [^;]*;", "", main)
    main = main.replace(
        "server {", f"server {{\n    listen 127.0.0.1:{port};\n    server_name localhost;", 1
    )
    conf = head + main
    conf = re.sub(r"server 127\.0\.0\.1:\d+", f"server 127.0.0.1:{upstream}", conf)
    conf = conf.replace("/srv/rsflask/app", str(ROOT)).replace(
        "/srv/rsflask/instance", str(instance)
    )
    conf = conf.replace("/var/cache/nginx/rsflask", f"{folder}/nginx-cache")
    # Brotli as a site with the modules has it; without them, gzip alone.
    modules = ""
    if all(module.exists() for module in BROTLI_MODULES):
        modules = "".join(f"load_module {module};\n" for module in BROTLI_MODULES)
        conf = conf.replace("/etc/nginx/snippets/", f"{NGINX_SITE.parent}/")
    else:
        conf = conf.replace("/etc/nginx/snippets/", f"{folder}/")
    conf = re.sub(r"(access_log|error_log) /var/log/nginx/[^;]*;", r"\1 off;", conf)
    conf = conf.replace("error_log off;", f"error_log {folder}/nginx-site-error.log;")
    return f"""{modules}
worker_processes auto;
pid {folder}/nginx-site.pid;
error_log {folder}/nginx-site-error.log;
events {{ worker_connections 4096; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  {conf}
}}
"""


@contextmanager
def shipped_site(site: Path, folder: Path, nginx: str) -> Iterator[tuple[int, int]]:
    """The app on the instance folder `site` under gunicorn (the shipped configuration) behind
    the shipped nginx site, until the block ends: (gunicorn's port, nginx's port)."""
    env = {**os.environ, "RSFLASK_INSTANCE_PATH": str(site), "RSFLASK_PROXY_COUNT": "1"}
    app_port, site_port = free_port(), free_port()
    server = gunicorn("wsgi:app", app_port, env, folder / "app.log")
    conf = folder / "nginx-site.conf"
    (folder / "nginx-cache").mkdir(exist_ok=True)
    conf.write_text(nginx_site_conf(folder, site_port, app_port, site))
    try:
        wait_for(f"http://127.0.0.1:{app_port}/healthz")
        subprocess.run([nginx, "-c", str(conf)], check=True)
        yield app_port, site_port
    finally:
        subprocess.run([nginx, "-c", str(conf), "-s", "quit"], check=False)
        stop(server)


PAGES = {
    "article": ("/articles/{slug}", {}),
    "front": ("/", {}),
    "keep-reading": ("/articles/{slug}/more", {"HX-Request": "true"}),
    "latest": ("/latest", {"HX-Request": "true"}),
}


def workspace(tools: tuple[str, ...], prefix: str) -> tuple[str, Path]:
    """Stop unless each tool is installed; nginx's path and a new folder to work in."""
    for tool in tools:
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is missing: apt-get install -y {tool}")
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    # nginx's workers run as another user (www-data) when started as root: they read and write here.
    folder.chmod(0o755)
    return shutil.which("nginx") or "/usr/sbin/nginx", folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--articles", type=int, default=0, help="seed-demo --count N (0: demo set)")
    args = parser.parse_args()
    nginx, folder = workspace(("wrk", "nginx"), "rsflask-bench-")
    instance = folder / "instance"
    env = {**os.environ, "RSFLASK_INSTANCE_PATH": str(instance), "RSFLASK_PROXY_COUNT": "1"}
    flask = [str(VENV_BIN / "flask"), "--app", "rsflask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    seed = [*flask, "seed-demo"] + (["--count", str(args.articles)] if args.articles else [])
    subprocess.run(seed, env=env, check=True, capture_output=True)

    ports = {name: free_port() for name in ("app", "naive", "floor", "static", "site")}
    processes = []
    try:
        processes.append(gunicorn("wsgi:app", ports["app"], env, folder / "app.log"))
        naive_env = {**env, "RSFLASK_PAGE_CACHE_BYTES": "0"}
        processes.append(gunicorn("wsgi:app", ports["naive"], naive_env, folder / "naive.log"))
        base = f"http://127.0.0.1:{ports['app']}"
        wait_for(base + "/healthz")
        wait_for(f"http://127.0.0.1:{ports['naive']}/healthz")
        front = fetch(base + "/").decode()
        slug = re.search(r'href="/articles/([a-z0-9-]+)"', front).group(1)

        pages_dir = folder / "static-pages"
        pages_dir.mkdir()
        for name, (path, headers) in PAGES.items():
            (pages_dir / f"{name}.html").write_bytes(fetch(base + path.format(slug=slug), headers))
        static_conf = folder / "nginx-static.conf"
        static_conf.write_text(nginx_static_conf(folder, ports["static"]))
        subprocess.run([nginx, "-c", str(static_conf)], check=True)
        site_conf = folder / "nginx-site.conf"
        (folder / "nginx-cache").mkdir()
        site_conf.write_text(nginx_site_conf(folder, ports["site"], ports["app"], instance))
        subprocess.run([nginx, "-c", str(site_conf)], check=True)

        rows = []
        for name, (path, headers) in PAGES.items():
            url_path = path.format(slug=slug)
            floor_env = {**env, "BENCH_FLOOR_FILE": str(pages_dir / f"{name}.html")}
            floor = gunicorn("bench.floor_app:app", ports["floor"], floor_env, folder / "floor.log")
            try:
                wait_for(f"http://127.0.0.1:{ports['floor']}/")
                targets = {
                    "nginx static": (f"http://127.0.0.1:{ports['static']}/{name}.html", {}),
                    "WSGI floor": (f"http://127.0.0.1:{ports['floor']}/", {}),
                    "app": (base + url_path, headers),
                    "app, cache off": (f"http://127.0.0.1:{ports['naive']}{url_path}", headers),
                    "app via nginx": (
                        f"http://127.0.0.1:{ports['site']}{url_path}",
                        {**headers, "Host": "localhost"},
                    ),
                }
                for url, target_headers in targets.values():
                    warm_up(url, args.connections, target_headers)
                # Rounds interleave the servers, so a slow patch of the machine hits them all;
                # each server's figure is its median round.
                rounds = [
                    {
                        server: run_wrk(url, args.duration, args.connections, target_headers)
                        for server, (url, target_headers) in targets.items()
                    }
                    for _ in range(args.rounds)
                ]
                results = {server: median_round(rounds, server) for server in targets}
            finally:
                stop(floor)
            rows.append((name, results))
        report(rows, args)
    finally:
        for conf in ("nginx-static", "nginx-site"):
            pid_file = folder / f"{conf}.pid"
            if pid_file.exists():
                os.kill(int(pid_file.read_text()), signal.SIGQUIT)
        for process in processes:
            stop(process)
        print(f"\nlogs and pages in {folder}")


def report(rows, args) -> None:
    print(
        f"\n{args.connections} connections, median of {args.rounds} rounds of {args.duration} s, "
        f"{os.cpu_count()} cores\n"
    )
    print(f"{'page':<14}{'server':<16}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, results in rows:
        for server, r in results.items():
            print(
                f"{name:<14}{server:<16}{r['rps']:>10.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['errors']:>8}"
            )
        app, floor, static = results["app"], results["WSGI floor"], results["nginx static"]
        print(
            f"{'':<14}ratios: app/floor {app['rps'] / floor['rps']:.2f}, "
            f"app/cache-off {app['rps'] / results['app, cache off']['rps']:.1f}x, "
            f"via nginx/static {results['app via nginx']['rps'] / static['rps']:.2f}\n"
        )


if __name__ == "__main__":
    main()
