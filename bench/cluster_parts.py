"""The cluster that bench/cluster.py runs on this one machine, each part on the loopback: a
PostgreSQL server and a Redis of its own, a mail server, two app nodes (gunicorn with the shipped
configuration behind the shipped nginx site, one instance folder each) sharing one photo folder,
and nginx balancing the two.

PostgreSQL and Redis are instances of their own, started from the machine's programs, rather than
the machine's services: the run stops and restarts them under load, which must not touch anything
else using the machine's (bench/cluster_services.py). Every part is stopped when the run ends,
also when it is interrupted.
"""

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from cluster_services import Mailbox, Postgres, Redis, kill, program, start, wait_for
from pages import GUNICORN_CONF, ROOT, VENV_BIN, free_port, nginx_site_conf

# Seconds a killed `digest send` keeps the round-up (DIGEST_LEASE_SECONDS; 120 in production).
DIGEST_LEASE_SECONDS = 6
EDITOR_EMAIL, EDITOR_PASSWORD = "cluster-editor@example.org", secrets.token_urlsafe(16)


class Node:
    """One app server: gunicorn with deploy/gunicorn.conf.py behind deploy/nginx/rsflask.conf."""

    def __init__(self, name: str, folder: Path, env: dict, shared: Path) -> None:
        self.name, self.folder = name, folder / f"node-{name}"
        self.folder.mkdir()
        (self.folder / "nginx-cache").mkdir()
        self.app_port, self.port = free_port(), free_port()
        self.env = {**env, "RSFLASK_INSTANCE_PATH": str(self.folder / "instance")}
        self.shared = shared
        self.gunicorn = self.nginx = None

    @property
    def url(self) -> str:
        """The node's own nginx, as the balancer reaches it."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def app_url(self) -> str:
        """Its gunicorn, past the node's few-second nginx cache."""
        return f"http://127.0.0.1:{self.app_port}"

    def flask(self, *args: str, check: bool = True, timeout: float = 600):
        """A flask command on this node, run to its end; stdout and stderr captured."""
        return self.run([str(VENV_BIN / "flask"), "--app", "rsflask", *args], check, timeout)

    def python(self, code: str, *args: str, stdin: str = "") -> str:
        """Run `code` in an app context of this node (app, db and models at hand); its output."""
        prelude = (
            "import sys\nfrom rsflask import create_app, models\nfrom rsflask.db import db\n"
            "app = create_app()\napp.app_context().push()\n"
        )
        command = [sys.executable, "-c", prelude + code, *args]
        return self.run(command, check=True, timeout=300, stdin=stdin).stdout

    def run(self, command: list, check: bool, timeout: float, stdin: str = ""):
        return subprocess.run(
            command,
            env=self.env,
            input=stdin,
            check=check,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )

    def popen(self, *args: str) -> subprocess.Popen:
        """A flask command on this node, running on while the caller goes on."""
        return subprocess.Popen(
            [str(VENV_BIN / "flask"), "--app", "rsflask", *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def start(self) -> None:
        command = [
            VENV_BIN / "gunicorn",
            "-c",
            GUNICORN_CONF,
            "--bind",
            f"127.0.0.1:{self.app_port}",
            "--chdir",
            ROOT,
            "wsgi:app",
        ]
        self.gunicorn = start(command, self.folder / "gunicorn.log", self.env)
        conf = self.folder / "nginx.conf"
        # The shipped site, its /photos/ alias pointed at the shared folder.
        conf.write_text(nginx_site_conf(self.folder, self.port, self.app_port, self.shared))
        self.nginx = start(
            [program("nginx"), "-c", conf, "-g", "daemon off;"], self.folder / "nginx.log"
        )
        wait_for(self.url + "/healthz")

    def kill(self, how: int = signal.SIGKILL) -> None:
        kill(self.gunicorn, how)
        kill(self.nginx, how)


BALANCER = """
worker_processes 1;
pid {folder}/balancer.pid;
error_log {folder}/balancer-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  # Passive health checks, as far as open-source nginx goes: a node that fails a request is
  # left out for fail_timeout, and an idempotent request it failed goes to the other node.
  upstream rsflask_nodes {{
    server 127.0.0.1:{a} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:{b} max_fails=1 fail_timeout=2s;
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 16m;
    location / {{
      proxy_pass http://rsflask_nodes;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_connect_timeout 1s;
      proxy_next_upstream error timeout http_502 http_504;
      proxy_next_upstream_tries 2;
      # Which node answered, for the run to show (not a header to ship).
      add_header X-Cluster-Node $upstream_addr always;
    }}
  }}
}}
"""


class Cluster:
    """Everything started, in order; `with Cluster() as cluster:` stops it all again, and removes
    its folder (databases, photos, logs) unless `keep_files`."""

    def __init__(self, keep_files: bool = False) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="rsflask-cluster-"))
        # nginx's workers (www-data when started as root) read the shared photos.
        self.folder.chmod(0o755)
        self.stack = ExitStack()
        if not keep_files:
            self.stack.callback(shutil.rmtree, self.folder, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        try:
            self.start()
        except BaseException:
            self.stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stack.close()

    def start(self) -> None:
        self.postgres = Postgres(self.folder)
        self.postgres.start()
        self.stack.callback(self.postgres_stop_quietly)
        self.postgres.create_database()
        self.redis = Redis(self.folder)
        self.redis.start()
        self.stack.callback(self.redis.stop)
        self.mailbox = Mailbox()
        self.mailbox.controller.start()
        self.stack.callback(self.mailbox.controller.stop)
        shared = self.folder / "shared"
        (shared / "photos").mkdir(parents=True)
        self.port = free_port()
        env = {
            **os.environ,
            "RSFLASK_SQLALCHEMY_DATABASE_URI": self.postgres.url,
            "RSFLASK_REDIS_URL": self.redis.url,
            "RSFLASK_SECRET_KEY": secrets.token_hex(32),
            "RSFLASK_PHOTO_FOLDER": str(shared / "photos"),
            # The balancer and the node's nginx each add X-Forwarded-For.
            "RSFLASK_PROXY_COUNT": "2",
            "RSFLASK_SITE_URL": f"http://127.0.0.1:{self.port}",
            "RSFLASK_MAIL_SERVER": "127.0.0.1",
            "RSFLASK_MAIL_PORT": str(self.mailbox.controller.port),
            "RSFLASK_DIGEST_LEASE_SECONDS": str(DIGEST_LEASE_SECONDS),
        }
        self.a, self.b = Node("a", self.folder, env, shared), Node("b", self.folder, env, shared)
        # Run once, from one server: the migrations, the demo content, the first account.
        self.a.flask("db", "upgrade")
        self.a.flask("seed-demo")
        self.add_editor()
        for node in (self.a, self.b):
            node.start()
            self.stack.callback(node.kill, signal.SIGTERM)
        conf = self.folder / "balancer.conf"
        conf.write_text(
            BALANCER.format(folder=self.folder, port=self.port, a=self.a.port, b=self.b.port)
        )
        balancer = start(
            [program("nginx"), "-c", conf, "-g", "daemon off;"], self.folder / "balancer.log"
        )
        self.stack.callback(kill, balancer)
        wait_for(self.url + "/healthz")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_editor(self) -> None:
        self.a.python(
            "user = models.User(email=sys.argv[1], role='admin', name='Cluster admin')\n"
            "user.set_password(sys.argv[2])\ndb.session.add(user)\ndb.session.commit()\n",
            EDITOR_EMAIL,
            EDITOR_PASSWORD,
        )

    def postgres_stop_quietly(self) -> None:
        # A run that stopped it under load may have left it stopped.
        with contextlib.suppress(subprocess.CalledProcessError):
            self.postgres.stop()
