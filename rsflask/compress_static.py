"""`flask compress-static`: compressed copies of the static files, which nginx sends as they are.

nginx's gzip_static (and brotli_static, where nginx has the Brotli module) looks for file.gz and
file.br beside the file a reader asks for. Made once per release at the highest level, they are
smaller than what nginx would compress on every request, and cost it nothing.
"""

import gzip
from pathlib import Path

import click
from flask import Flask, current_app

# Text only: images in other formats are compressed already.
COMPRESSIBLE = {".css", ".js", ".svg"}


def _gzip(data: bytes) -> bytes:
    # mtime 0: the same file makes the same bytes, whenever it is compressed.
    return gzip.compress(data, 9, mtime=0)


ENCODERS = {".gz": _gzip}
try:
    import brotli
except ImportError:  # the `server` extra brings it; without it, gzip alone
    pass
else:
    ENCODERS[".br"] = lambda data: brotli.compress(data, mode=brotli.MODE_TEXT, quality=11)


def is_fresh(copy: Path, source: Path) -> bool:
    return copy.exists() and copy.stat().st_mtime >= source.stat().st_mtime


@click.command("compress-static")
def compress_static_command() -> None:
    """Write .gz (and .br) copies beside the static files that are new or changed."""
    folder = Path(current_app.static_folder)
    sources = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in COMPRESSIBLE)
    written = 0
    for source in sources:
        for suffix in (".gz", ".br"):
            copy = source.with_name(source.name + suffix)
            if is_fresh(copy, source):
                continue
            if suffix in ENCODERS:
                copy.write_bytes(ENCODERS[suffix](source.read_bytes()))
                written += 1
            else:
                # nginx would send a copy older than its file in place of the file: none is kept.
                copy.unlink(missing_ok=True)
    click.echo(f"{written} compressed copies written for {len(sources)} static files.")
    if ".br" not in ENCODERS:
        click.echo("No Brotli copies: the brotli package is missing (the `server` extra has it).")


def init_app(app: Flask) -> None:
    app.cli.add_command(compress_static_command)
