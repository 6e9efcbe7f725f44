"""The files in deploy/: they load, they agree with the app's settings, nginx accepts its site."""

import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from rsflask import create_app, settings
from rsflask.db import db
from tests.mail_server import free_port
from tests.services import unavailable

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
APP = ["wsgi:app"]


def environment_file() -> dict[str, str]:
    """The example environment file as systemd reads it: KEY=value, comments and blanks skipped."""
    pairs = {}
    for line in (DEPLOY / "rsflask.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            value = value.strip()
            if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            pairs[key.strip()] = value
    return pairs


def test_the_environment_file_names_only_real_settings_and_they_load_as_meant(
    tmp_path, monkeypatch
):
    pairs = environment_file()
    names = {key.removeprefix("RSFLASK_") for key in pairs if key.startswith("RSFLASK_")}
    assert names - {"INSTANCE_PATH"} <= set(dir(settings))
    for key, value in pairs.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(tmp_path))
    # create_app itself, not the tests' make_app, whose test settings would hide the file's.
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["SITE_URL"] == "https://example.org"
    assert app.config["PROXY_COUNT"] == 1
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAIL_PORT"] == 587 and app.config["MAIL_USE_TLS"] is True
    assert app.config["MAIL_DEFAULT_SENDER"] == "The Crosswind Review <newsletter@example.org>"


def test_nginx_takes_the_same_largest_upload_as_the_app():
    site = (DEPLOY / "nginx" / "rsflask.conf").read_text()
    [size] = re.findall(r"^\s*client_max_body_size (\d+)m;", site, re.MULTILINE)
    assert int(size) * 1024 * 1024 == settings.MAX_CONTENT_LENGTH


def test_gunicorn_accepts_its_configuration_and_loads_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", "deploy/gunicorn.conf.py", *APP],
        cwd=DEPLOY.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def throwaway_certificate(openssl: str, folder) -> None:
    """certbot's certificate for example.org does not exist here: a throwaway one stands in."""
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=example.org", "-keyout", folder / "privkey.pem"),
            *("-out", folder / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_nginx_accepts_the_site(tmp_path):
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if not (nginx and openssl):
        unavailable("nginx and openssl are needed to check the nginx site")
    throwaway_certificate(openssl, tmp_path)
    site = (DEPLOY / "nginx" / "rsflask.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/example.org", str(tmp_path))
    for folder in ("/var/log/nginx/", "/var/cache/nginx/"):
        site = site.replace(folder, f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-c", tmp_path / "nginx.conf"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_keeps_anonymous_pages_briefly_and_never_for_editors(tmp_path, app, add_article):
    """The shipped site in front of the app: a change reaches anonymous readers within
    NGINX_CACHE_SECONDS, and at once for anyone with the editor cookie."""
    nginx = shutil.which("nginx")
    if not nginx:
        unavailable("nginx is needed to run the shipped site")
    app.config["NGINX_CACHE_SECONDS"] = 2
    article = add_article("Old headline")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = free_port()
    site = (DEPLOY / "nginx" / "rsflask.conf").read_text()
    # The HTTPS server block alone, on a loopback port without TLS, in front of this app.
    head, main = site[: site.index("server {")], site[site.rindex("server {") :]
    main = re.sub(r"\n\s*(listen|ssl_[a-z_]+) [^;]*;", "", main)
    main = main.replace("server {", f"server {{\n    listen 127.0.0.1:{port};", 1)
    conf = (head + main).replace("127.0.0.1:8000", f"127.0.0.1:{server.server_port}")
    for folder in ("/var/log/nginx/", "/var/cache/nginx/"):
        conf = conf.replace(folder, f"{tmp_path}/")
    # Started as root, nginx's workers would run as nobody, who cannot enter pytest's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    {conf}\n}}\n"
    )
    subprocess.run([nginx, "-c", tmp_path / "nginx.conf"], check=True, timeout=60)
    try:

        def headline(cookie: str = "") -> str:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/articles/old-headline",
                headers={"Host": "example.org", **({"Cookie": cookie} if cookie else {})},
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                page = response.read().decode()
            return re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1).strip()

        assert headline() == "Old headline"
        article.title = "New headline"
        db.session.commit()
        # nginx answers from its copy: the app's own cache is exact, nginx's lags by design.
        assert headline() == "Old headline"
        assert headline("rsflask_editor=1") == "New headline"
        time.sleep(app.config["NGINX_CACHE_SECONDS"] + 1)
        assert headline() == "New headline"
    finally:
        subprocess.run([nginx, "-c", tmp_path / "nginx.conf", "-s", "quit"], timeout=60)
        server.shutdown()


def test_nginx_answers_only_the_site_s_own_names(tmp_path):
    """The app builds absolute URLs from the Host header: nginx never lets another name through."""
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if not (nginx and openssl):
        unavailable("nginx and openssl are needed to run the shipped site")
    throwaway_certificate(openssl, tmp_path)
    http, https = free_port(), free_port()
    site = (DEPLOY / "nginx" / "rsflask.conf").read_text()
    site = re.sub(r"\n\s*listen \[::\][^;]*;", "", site)
    site = re.sub(r"listen 80\b", f"listen 127.0.0.1:{http}", site)
    site = re.sub(r"listen 443\b", f"listen 127.0.0.1:{https}", site)
    site = site.replace("/etc/letsencrypt/live/example.org", str(tmp_path))
    for folder in ("/var/log/nginx/", "/var/cache/nginx/"):
        site = site.replace(folder, f"{tmp_path}/")
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    {site}\n}}\n"
    )
    subprocess.run([nginx, "-c", tmp_path / "nginx.conf"], check=True, timeout=60)
    tls = ssl.create_default_context(cafile=tmp_path / "fullchain.pem")
    tls.check_hostname = False

    def answer(port: int, host: str, sni: str | None = None) -> bytes:
        """The first bytes nginx answers a request for `host` with; none if it hangs up."""
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            if sni:
                connection = tls.wrap_socket(connection, server_hostname=sni)
            request = f"GET /robots.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            connection.sendall(request.encode())
            return connection.recv(64)

    try:
        assert answer(http, "example.org").startswith(b"HTTP/1.1 301")
        assert answer(http, "evil.example") == b""
        with pytest.raises(ssl.SSLError):
            answer(https, "evil.example", sni="evil.example")
        # The site's name opens TLS, and still a request inside it for another name gets nothing.
        assert answer(https, "evil.example", sni="example.org") == b""
    finally:
        subprocess.run([nginx, "-c", tmp_path / "nginx.conf", "-s", "quit"], timeout=60)


def test_gunicorn_s_app_leaves_alembic_and_the_commands_out(tmp_path):
    """Each worker holds what it imports: Alembic (about 17 MB) serves `flask db` alone."""
    probe = "import sys, wsgi; print('alembic' in sys.modules, 'db' in wsgi.app.cli.commands)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=DEPLOY.parent,
        env={**os.environ, "RSFLASK_INSTANCE_PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split("\n")[0] == "False False", result.stderr
