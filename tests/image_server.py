"""A web server for the tests of downloaded images: a thread on a free loopback port, serving
pictures by path, counting what it is asked, and misbehaving on purpose at some paths."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from PIL import Image


def jpeg(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


class Handler(BaseHTTPRequestHandler):
    """Serves `files` by path, counting each request; /slow never answers in time."""

    files: ClassVar[dict[str, bytes]] = {}
    asked: ClassVar[list[str]] = []

    def do_GET(self):
        self.asked.append(self.path)
        if self.path == "/slow":
            threading.Event().wait(3)
            return
        if self.path in ("/elsewhere", "/to-ftp"):
            self.send_response(302)
            where = "file:///etc/passwd" if self.path == "/elsewhere" else "ftp://127.0.0.1/a.jpg"
            self.send_header("Location", where)
            self.end_headers()
            return
        if self.path == "/endless":
            self.send_response(200)
            self.end_headers()
            for _ in range(400):
                self.wfile.write(b"x" * 65536)
            return
        data = self.files.get(self.path)
        self.send_response(200 if data is not None else 404)
        self.send_header("Content-Length", str(len(data or b"")))
        self.end_headers()
        self.wfile.write(data or b"")

    def log_message(self, *args):
        pass


class ImageServer:
    """The server in a thread of its own, for a `with` block that gets its address."""

    def __enter__(self) -> str:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        Handler.files = {"/a.jpg": jpeg(), "/not-an-image.jpg": b"GIF89a nope"}
        Handler.asked = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
