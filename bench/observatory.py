"""MDN HTTP Observatory's grade of the site as deployed: the shipped nginx site, with TLS, in front
of gunicorn with the shipped configuration.

    .venv/bin/python bench/observatory.py

Needs node and npm (it installs @mdn/mdn-http-observatory into a temporary folder), nginx,
openssl and unshare (util-linux). The scanner reads http://NAME/ and https://NAME/ on the standard
ports and follows the site's own redirects, so the site has to be example.org on ports 80 and
443: the bench runs it in a network namespace of its own (its own loopback, where those ports are
free, and an /etc/hosts that points example.org there), which reaches nothing outside. The
certificate is a throwaway one, which the scanner trusts through NODE_EXTRA_CA_CERTS. It prints
the grade, the score and every test, those that fell short first.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import NGINX_SITE, ROOT, VENV_BIN, gunicorn, stop, wait_for

OBSERVATORY = "@mdn/mdn-http-observatory@1.4.8"
SCANNER = Path("node_modules/@mdn/mdn-http-observatory")
NAME = "example.org"


def prepare(folder: Path) -> None:
    """Everything that needs the registry or the host's network, done before leaving it."""
    tools = folder / "tools"
    # Its install scripts download the HSTS preload list and the TLD list: no network for those
    # here, and the scan needs neither (a site of our own is on no preload list).
    subprocess.run(
        ["npm", "install", "--silent", "--ignore-scripts", "--prefix", str(tools), OBSERVATORY],
        check=True,
    )
    (tools / SCANNER / "conf" / "hsts-preload.json").write_text("{}")
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={NAME}", "-addext", f"subjectAltName=DNS:{NAME},DNS:www.{NAME}"),
            *("-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem")),
        ],
        check=True,
        capture_output=True,
    )
    instance = folder / "instance"
    flask = [str(VENV_BIN / "flask"), "--app", "rsflask"]
    env = {**os.environ, "RSFLASK_INSTANCE_PATH": str(instance)}
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo"], env=env, check=True, capture_output=True)
    (folder / "hosts").write_text(f"127.0.0.1 localhost {NAME} www.{NAME}\n")


def site_conf(folder: Path) -> str:
    """The whole shipped site, every server block, with its paths pointed into the folder."""
    site = NGINX_SITE.read_text()
    site = site.replace("/etc/letsencrypt/live/example.org", str(folder))
    site = site.replace("/srv/rsflask/app", str(ROOT)).replace(
        "/srv/rsflask/instance", str(folder / "instance")
    )
    site = site.replace("/var/cache/nginx/rsflask", str(folder / "nginx-cache"))
    site = site.replace("/var/log/nginx/", f"{folder}/")
    # The namespace's loopback may have no IPv6 address.
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    return (
        f"user root;\npid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n{site}\n}}\n"
    )


def in_namespace(folder: Path) -> None:
    """Inside the namespace: start the site, scan it, stop it."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["mount", "--bind", str(folder / "hosts"), "/etc/hosts"], check=True)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    env = {
        **os.environ,
        "RSFLASK_INSTANCE_PATH": str(folder / "instance"),
        "RSFLASK_SITE_URL": f"https://{NAME}",
        "RSFLASK_PROXY_COUNT": "1",
    }
    # Port 8000, the shipped upstream: this loopback has nothing else on it.
    app = gunicorn("wsgi:app", 8000, env, folder / "app.log")
    try:
        wait_for("http://127.0.0.1:8000/healthz")
        (folder / "nginx-cache").mkdir(exist_ok=True)
        (folder / "nginx.conf").write_text(site_conf(folder))
        subprocess.run([nginx, "-c", str(folder / "nginx.conf")], check=True)
        scan = subprocess.run(
            ["node", str(folder / "tools" / SCANNER / "src" / "scan.js"), NAME],
            env={**os.environ, "NODE_EXTRA_CA_CERTS": str(folder / "fullchain.pem")},
            capture_output=True,
            text=True,
        )
        (folder / "scan.json").write_text(scan.stdout)
        if scan.returncode != 0:
            raise SystemExit(f"the scan failed: {scan.stdout}{scan.stderr}")
    finally:
        pid_file = folder / "nginx.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGQUIT)
        stop(app)


def report(result: dict) -> None:
    scan = result["scan"]
    print(
        f"grade {scan['grade']}, score {scan['score']} "
        f"({scan['testsPassed']} of {scan['testsQuantity']} tests passed)"
    )
    tests = sorted(result["tests"].items(), key=lambda item: item[1]["pass"])
    for name, test in tests:
        verdict = "ok   " if test["pass"] else "SHORT"
        print(f"  {verdict} {name}: {test['result']} ({test['scoreModifier']:+d})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--in-namespace", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_namespace:
        in_namespace(args.in_namespace)
        return
    for tool in ("npm", "node", "nginx", "openssl", "unshare"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is missing")
    folder = Path(tempfile.mkdtemp(prefix="rsflask-observatory-"))
    prepare(folder)
    # Not root: a user namespace maps this user to root in there, which the ports need.
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    subprocess.run(
        ["unshare", "--net", "--mount", *user, sys.executable, __file__, "--in-namespace", folder],
        check=True,
    )
    report(json.loads((folder / "scan.json").read_text()))
    print(f"\nthe scan's JSON and the logs in {folder}")


if __name__ == "__main__":
    main()
