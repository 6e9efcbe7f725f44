"""What storing one uploaded photo costs a request worker: seconds and peak memory.

    .venv/bin/python bench/photos.py [--only NAME ...]

Each image is generated once into a temporary folder, then stored by `store_photo` in a fresh
Python process of its own, so that the peak resident memory (ru_maxrss) is that photo's alone.
"Memory" is the peak above what the process held before the call (the app, the upload's bytes).
Camera JPEGs carry noise, so that they are as large and as slow to decode as real photos.

Measured on 2 shared cores (load about 4), before (full-size WebP copies, one 50 MP limit) and
after (limits by format read from the header, variants in a cascade, full-size JPEG copies):

    case                     before              after
    phone-12mp-jpeg          2.8 s   223 MB      0.8 s    74 MB
    phone-24mp-jpeg          5.5 s   423 MB      1.2 s   124 MB
    phone-24mp-jpeg-turned   5.3 s   429 MB      1.3 s   153 MB
    camera-45mp-jpeg        26.9 s   774 MB      1.3 s   213 MB
    camera-61mp-jpeg        refused              1.7 s   277 MB
    screenshot-5mp-png       2.5 s    99 MB      0.7 s    44 MB
    flat-7000x7000-png       7.5 s   516 MB      refused at once (24 MP for a PNG)
    flat-4896x4896-png                           0.7 s   134 MB  (the worst PNG still taken)
    screenshot-6k-20mp-png                       1.0 s   106 MB
    camera-24mp-webp         5.5 s   415 MB      refused at once (16 MP for a WebP)
    line-16383x1-png         500 (a variant 0 pixels high)    refused at once
"""

import argparse
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent


def photo_like(size: tuple[int, int]) -> Image.Image:
    """Shapes, a gradient and grain: compresses like a photo, unlike a flat colour."""
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(12):
        dx, dy = i * width // 30, i * height // 30
        box = (dx, dy, width - dx, height - dy)
        draw.ellipse(box, outline=(40 + i * 15, 120, 200 - i * 10), width=max(4, width // 200))
    grain = Image.effect_noise(size, 40).convert("RGB")
    return Image.blend(image, grain, 0.25)


def turned() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6
    return exif


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


CASES = {
    "phone-12mp-jpeg": lambda: encoded(photo_like((4032, 3024)), "JPEG", quality=90),
    "phone-24mp-jpeg": lambda: encoded(photo_like((6000, 4000)), "JPEG", quality=90),
    # Phones store the sensor's pixels and an EXIF orientation: "turn 90 degrees to show".
    "phone-24mp-jpeg-turned": lambda: encoded(
        photo_like((6000, 4000)), "JPEG", quality=90, exif=turned()
    ),
    "camera-45mp-jpeg": lambda: encoded(photo_like((8192, 5464)), "JPEG", quality=85),
    "camera-61mp-jpeg": lambda: encoded(photo_like((9504, 6336)), "JPEG", quality=85),
    "screenshot-5mp-png": lambda: encoded(photo_like((2880, 1800)), "PNG"),
    "flat-7000x7000-png": lambda: encoded(Image.new("RGB", (7000, 7000), (20, 40, 60)), "PNG"),
    # The worst PNG still taken: all its pixels in a file of a few kilobytes.
    "flat-4896x4896-png": lambda: encoded(Image.new("RGB", (4896, 4896), (20, 40, 60)), "PNG"),
    "screenshot-6k-20mp-png": lambda: encoded(photo_like((6016, 3384)), "PNG"),
    "camera-24mp-webp": lambda: encoded(photo_like((6000, 4000)), "WEBP", quality=90),
    "line-16383x1-png": lambda: encoded(Image.new("RGB", (16383, 1), (200, 0, 0)), "PNG"),
}


def peak_memory_kb() -> int:
    """This process's peak resident memory since exec (ru_maxrss would count the parent's too)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def store_one(path: Path, folder: Path) -> dict:
    """In this process: store the photo at `path` and measure the call."""
    from rsflask import create_app
    from rsflask.db import db
    from rsflask.photos import PhotoError, store_photo

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "PHOTO_FOLDER": str(folder / "photos"),
            "SECRET_KEY": "bench",
        },
        commands=False,
    )
    data = path.read_bytes()
    with app.app_context():
        db.create_all()
        before = peak_memory_kb()
        start = time.perf_counter()
        try:
            store_photo(data)
            outcome = "stored"
        except PhotoError as error:
            outcome = f"refused: {error}"
        except Exception as error:  # what a request would answer with a 500
            outcome = f"failed: {error!r}"
        seconds = time.perf_counter() - start
        peak = peak_memory_kb()
    return {"seconds": seconds, "memory_mb": (peak - before) / 1024, "outcome": outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=list(CASES), help="these cases alone")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(store_one(args.child, args.child.parent)))
        return
    print(f"{'case':<24}{'file':>9}{'seconds':>9}{'memory':>9}  outcome")
    for name in args.only or CASES:
        with tempfile.TemporaryDirectory(prefix="rsflask-photos-") as temp:
            path = Path(temp) / name
            path.write_bytes(CASES[name]())
            child = [sys.executable, __file__, "--child", str(path)]
            result = json.loads(subprocess.run(child, capture_output=True, check=True).stdout)
            size = f"{path.stat().st_size / 1e6:.2f} MB"
            print(
                f"{name:<24}{size:>9}{result['seconds']:>8.2f}s{result['memory_mb']:>6.0f} MB"
                f"  {result['outcome']}"
            )


if __name__ == "__main__":
    main()
