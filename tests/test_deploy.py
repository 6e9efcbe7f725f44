"""The files in deploy/: they load, they agree with the app's settings, nginx accepts its site."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from rsflask import create_app, settings
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


def test_nginx_accepts_the_site(tmp_path):
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if not (nginx and openssl):
        unavailable("nginx and openssl are needed to check the nginx site")
    # certbot's certificate does not exist here: a throwaway one stands in for it.
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=example.org", "-keyout", tmp_path / "privkey.pem"),
            *("-out", tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
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
