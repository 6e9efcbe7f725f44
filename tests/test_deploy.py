"""The files in deploy/: they load, they agree with the app's settings, nginx accepts its site."""

import gzip
import io
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import brotli
import pytest
from PIL import Image
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


def test_nginx_takes_the_same_largest_uploads_as_the_app():
    site = (DEPLOY / "nginx" / "rsflask.conf").read_text()
    sizes = re.findall(r"^\s*client_max_body_size (\d+)m;", site, re.MULTILINE)
    assert [int(size) * 1024 * 1024 for size in sizes] == [
        settings.MAX_CONTENT_LENGTH,
        settings.LARGE_FORM_CONTENT_LENGTH,
    ]


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


@pytest.mark.parametrize("brotli_module", [False, True], ids=["gzip alone", "with brotli"])
def test_nginx_accepts_the_site(tmp_path, brotli_module):
    """With the Brotli snippet and its modules, and without both: an nginx that lacks them."""
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if not (nginx and openssl):
        unavailable("nginx and openssl are needed to check the nginx site")
    throwaway_certificate(openssl, tmp_path)
    site = (DEPLOY / "nginx" / "rsflask.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/example.org", str(tmp_path))
    for folder in ("/var/log/nginx/", "/var/cache/nginx/"):
        site = site.replace(folder, f"{tmp_path}/")
    site, modules = snippets_and_modules(site, tmp_path, brotli_module)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"{modules}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-c", tmp_path / "nginx.conf"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


BROTLI_MODULES = [
    Path("/usr/lib/nginx/modules") / f"ngx_http_brotli_{part}_module.so"
    for part in ("filter", "static")
]


def snippets_and_modules(site: str, folder: Path, with_brotli: bool) -> tuple[str, str]:
    """The site with its snippets read from `folder` (never the machine's), and the load_module
    lines it needs: `with_brotli`, the shipped Brotli snippet is there and its modules load."""
    site = site.replace("/etc/nginx/snippets/", f"{folder}/snippets/")
    if not with_brotli:
        return site, ""
    if not all(module.exists() for module in BROTLI_MODULES):
        unavailable("nginx's Brotli modules (libnginx-mod-http-brotli-*) are needed")
    (folder / "snippets").mkdir(exist_ok=True)
    shutil.copy(DEPLOY / "nginx" / "rsflask-brotli.conf", folder / "snippets")
    return site, "".join(f"load_module {module};\n" for module in BROTLI_MODULES)


@contextmanager
def shipped_site(folder: Path, upstream: int, with_brotli: bool = False) -> Iterator[int]:
    """The shipped HTTPS server block on a loopback port without TLS, in front of the app on
    `upstream`, static files from folder/static and photos from the app's: its port."""
    nginx = shutil.which("nginx")
    if not nginx:
        unavailable("nginx is needed to run the shipped site")
    port = free_port()
    site = (DEPLOY / "nginx" / "rsflask.conf").read_text()
    head, main = site[: site.index("server {")], site[site.rindex("server {") :]
    main = re.sub(r"\n\s*(listen|ssl_[a-z_]+) [^;]*;", "", main)
    main = main.replace("server {", f"server {{\n    listen 127.0.0.1:{port};", 1)
    conf = (head + main).replace("127.0.0.1:8000", f"127.0.0.1:{upstream}")
    conf = conf.replace("/srv/rsflask/app/static/", f"{folder}/static/")
    conf = conf.replace("/srv/rsflask/instance/", f"{folder}/instance/")
    for logs_or_cache in ("/var/log/nginx/", "/var/cache/nginx/"):
        conf = conf.replace(logs_or_cache, f"{folder}/")
    conf, modules = snippets_and_modules(conf, folder, with_brotli)
    # Started as root, nginx's workers would run as nobody, who cannot enter pytest's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{modules}{user}pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    {conf}\n}}\n"
    )
    subprocess.run([nginx, "-c", folder / "nginx.conf"], check=True, timeout=60)
    try:
        yield port
    finally:
        subprocess.run([nginx, "-c", folder / "nginx.conf", "-s", "quit"], timeout=60)


@contextmanager
def serving(app) -> Iterator[int]:
    """The app on a loopback port of its own, as gunicorn would serve it to nginx."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


def get(port: int, path: str, headers: dict | None = None) -> tuple[dict, bytes]:
    """Headers and body as they come over the wire, compressed or not."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": "example.org", **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.headers, response.read()


def test_nginx_keeps_anonymous_pages_briefly_and_never_for_editors(tmp_path, app, add_article):
    """The shipped site in front of the app: a change reaches anonymous readers within
    NGINX_CACHE_SECONDS, and at once for anyone with the editor cookie."""
    app.config["NGINX_CACHE_SECONDS"] = 2
    article = add_article("Old headline")
    with serving(app) as upstream, shipped_site(tmp_path, upstream) as port:

        def headline(cookie: str = "") -> str:
            _, page = get(port, "/articles/old-headline", {"Cookie": cookie} if cookie else {})
            return re.search(r"<h1[^>]*>(.*?)</h1>", page.decode(), re.S).group(1).strip()

        assert headline() == "Old headline"
        article.title = "New headline"
        db.session.commit()
        # nginx answers from its copy: the app's own cache is exact, nginx's lags by design.
        assert headline() == "Old headline"
        assert headline("rsflask_editor=1") == "New headline"
        time.sleep(app.config["NGINX_CACHE_SECONDS"] + 1)
        assert headline() == "New headline"


def post(port: int, path: str, size: int) -> tuple[int, str]:
    """The status and text of the answer to a form posted with `size` bytes of body."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=b"x=" + b"y" * (size - 2),
        headers={"Host": "example.org", "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_nginx_lets_only_the_settings_form_send_more_than_the_usual_limit(tmp_path, app):
    """Elsewhere nginx answers 413 itself; the settings form reaches the app (whose CSRF check
    turns this anonymous post away), so that the app can say which file is too large."""
    body = settings.MAX_CONTENT_LENGTH + 1024 * 1024
    with serving(app) as upstream, shipped_site(tmp_path, upstream) as port:
        status, text = post(port, "/editor/settings", body)
        assert status == 400 and "The form expired" in text
        status, text = post(port, "/editor/pages/1", body)
        assert status == 413 and "nginx" in text


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 480), (30, 90, 60)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def static_copy(tmp_path, app, runner) -> Path:
    """The static files in a folder of their own, with the copies `compress-static` makes."""
    static = tmp_path / "static"
    shutil.copytree(DEPLOY.parent / "static", static)
    app.static_folder = str(static)
    result = runner.invoke(args=["compress-static"])
    assert result.exit_code == 0, result.output
    return static


def test_compress_static_writes_copies_that_decompress_to_each_file(static_copy, runner):
    for path in ("css/site.css", "js/htmx-2.0.11.min.js", "img/favicon.svg"):
        source = (static_copy / path).read_bytes()
        assert gzip.decompress((static_copy / f"{path}.gz").read_bytes()) == source
        assert brotli.decompress((static_copy / f"{path}.br").read_bytes()) == source
    # Nothing else gets copies: the licence, the checksum, and the copies themselves.
    assert not list(static_copy.rglob("*.txt.gz")) and not list(static_copy.rglob("*.gz.gz"))
    assert "0 compressed copies written" in runner.invoke(args=["compress-static"]).output


def test_compress_static_replaces_the_copies_of_a_changed_file(static_copy, runner):
    """nginx sends the copy whenever there is one: a copy of an older version would be served."""
    stylesheet = static_copy / "css" / "site.css"
    later = (static_copy / "css" / "site.css.gz").stat().st_mtime + 10
    stylesheet.write_text("body { color: navy }\n")
    os.utime(stylesheet, (later, later))
    result = runner.invoke(args=["compress-static"])
    assert "2 compressed copies written" in result.output
    copies = static_copy / "css"
    assert gzip.decompress((copies / "site.css.gz").read_bytes()) == b"body { color: navy }\n"
    assert brotli.decompress((copies / "site.css.br").read_bytes()) == b"body { color: navy }\n"


def test_nginx_sends_static_files_precompressed_and_compresses_pages(
    tmp_path, app, add_article, static_copy
):
    article = add_article("Compressed on the way", image=jpeg(), image_alt="A field")
    with serving(app) as upstream, shipped_site(tmp_path, upstream) as port:
        for path in ("css/site.css", "js/htmx-2.0.11.min.js"):
            headers, body = get(port, f"/static/{path}?v=1", {"Accept-Encoding": "gzip"})
            assert headers["Content-Encoding"] == "gzip"
            # The very bytes of the file made at install, not nginx's own (faster, level 5) gzip.
            assert body == (static_copy / f"{path}.gz").read_bytes()
            assert "Accept-Encoding" in headers["Vary"]
            assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"
            headers, body = get(port, f"/static/{path}?v=1")
            assert "Content-Encoding" not in headers
            assert body == (static_copy / path).read_bytes()

        headers, body = get(port, f"/articles/{article.slug}", {"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip"
        assert "<h1" in gzip.decompress(body).decode()
        assert headers["Cross-Origin-Resource-Policy"] == "same-site"
        photo = re.search(r'src="(/photos/[^"]+)"', gzip.decompress(body).decode()).group(1)
        headers, _ = get(port, photo)
        assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_nginx_with_brotli_sends_the_br_copies_and_compresses_pages_with_it(
    tmp_path, app, add_article, static_copy
):
    article = add_article("Compressed on the way")
    brotli_first = {"Accept-Encoding": "gzip, deflate, br"}
    with serving(app) as upstream, shipped_site(tmp_path, upstream, with_brotli=True) as port:
        for path in ("css/site.css", "js/htmx-2.0.11.min.js"):
            headers, body = get(port, f"/static/{path}?v=1", brotli_first)
            assert headers["Content-Encoding"] == "br"
            assert body == (static_copy / f"{path}.br").read_bytes()
            assert "Accept-Encoding" in headers["Vary"]
            # A reader without Brotli still gets the gzip copy.
            headers, body = get(port, f"/static/{path}?v=1", {"Accept-Encoding": "gzip"})
            assert body == (static_copy / f"{path}.gz").read_bytes()

        headers, body = get(port, f"/articles/{article.slug}", brotli_first)
        assert headers["Content-Encoding"] == "br"
        assert "Compressed on the way" in brotli.decompress(body).decode()


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
