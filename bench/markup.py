"""Time to format Markdown: the shapes on which Python-Markdown is quadratic, and real articles.

.venv/bin/python bench/markup.py [--sizes 10000,100000,200000] [--limit 10] [--only NAME]

Each shape is repeated up to each size (the body's limit is 200,000 characters) and formatted
twice in a child process: "before" by Python-Markdown and the sanitiser alone, as rsflask did
before it guarded the renderer, and "after" by markup.render, which refuses what is too complex.
A child still busy after --limit seconds is killed; larger sizes of that shape are skipped.
"""

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from rsflask import markup, markup_budget  # noqa: E402
from rsflask.article_files import split_header  # noqa: E402


def repeat(unit: str, head: str = "", tail: str = ""):
    return lambda n: head + unit * max(1, (n - len(head) - len(tail)) // len(unit)) + tail


SHAPES = {
    "[": repeat("["),
    "![": repeat("!["),
    "[^1] (defined)": repeat("[^1]", tail="\n\n[^1]: A note."),
    "[^1] (undefined)": repeat("[^1]"),
    "[a](": repeat("[a]("),
    "[[ ]]": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "*[": repeat("*["),
    "* nested emphasis": repeat("*"),
    "*a": repeat("*a"),
    "**a": repeat("**a"),
    "_a": repeat("_a"),
    "<": repeat("<"),
    "<a ": repeat("<a "),
    "<http://": repeat("<http://"),
    "<!--": repeat("<!--"),
    "&": repeat("&"),
    "&#": repeat("&#"),
    "`": repeat("`"),
    "`a": repeat("`a"),
    "' (smart quotes)": repeat("'"),
    '" (smart quotes)': repeat('"'),
    "\\": repeat("\\"),
    "one long line of words": repeat("word "),
    "> nested": repeat("> ", tail="x"),
    "list nesting": lambda n: "".join("    " * i + "- x\n" for i in range(int((n / 2) ** 0.5))),
    "footnote definitions": lambda n: (
        "x[^0]\n\n" + "".join(f"[^{i}]: A note.\n" for i in range(n // 18))
    ),
    "reference links": lambda n: (
        "".join(f"[a][{i}] " for i in range(n // 24))
        + "\n\n"
        + "".join(f"[{i}]: /x\n" for i in range(n // 24))
    ),
    "abbreviations": lambda n: "".join(f"*[A{i}]: x\n" for i in range(n // 25)) + "A1 " * (n // 6),
    "definition list": repeat(": b\n", head="a\n"),
    "table rows": repeat("c|d\n", head="a|b\n-|-\n"),
    "fences": repeat("```\n"),
    "html blocks": repeat("<div>\n"),
    '<div markdown="1">': repeat('<div markdown="1">\n'),
    "attr_list {:": repeat("{:", head="# Heading "),
}


def articles() -> dict[str, str]:
    """A real 1,100-word article, and one as long as a body may be, from the whole demo corpus."""
    bodies = [
        split_header(path.read_text(encoding="utf-8"))[1]
        for path in sorted((ROOT / "rsflask/demo/articles").glob("*.md"))
    ]
    long = ""
    for number in range(10_000):
        body = bodies[number % len(bodies)]
        if len(long) + len(body) + 2 > markup_budget.MAX_CHARACTERS:
            break
        long += "\n\n" + body
    return {"article, 1,100 words": bodies[0], "article at the length limit": long.strip()}


def unguarded(text: str) -> str:
    html = markup.markdown.markdown(
        text,
        extensions=markup.MARKDOWN_EXTENSIONS,
        extension_configs=markup.MARKDOWN_CONFIG,
        output_format="html",
    )
    return markup.sanitise(markup.top_heading_level_2(html))


def _timed(function, text: str, results) -> None:
    start = time.perf_counter()
    try:
        function(text)
        outcome = ""
    except markup.TooComplex:
        outcome = " refused"
    except Exception as error:  # what the app would have answered with a 500
        outcome = f" {type(error).__name__}"
    results.put(f"{time.perf_counter() - start:7.3f} s{outcome}")


def timed(function, text: str, limit: float) -> str | None:
    """Wall-clock seconds to format text in a child process, or None past the limit."""
    results = multiprocessing.Queue()
    child = multiprocessing.Process(target=_timed, args=(function, text, results))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return results.get() if child.exitcode == 0 else f"died ({child.exitcode})"


def fork_cost(rounds: int = 20) -> float:
    """Milliseconds to fork this process and wait for the child: what a render in a child costs."""
    start = time.perf_counter()
    for _ in range(rounds):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    return (time.perf_counter() - start) / rounds * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,200000")
    parser.add_argument("--limit", type=float, default=10.0, help="seconds before giving up")
    parser.add_argument("--only", help="shapes whose name contains this")
    args = parser.parse_args()
    multiprocessing.set_start_method("fork")
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"{'shape':26} {'characters':>10}  {'before':>9}  {'after':>9}", flush=True)
    for name, text in articles().items():
        before, after = timed(unguarded, text, 60), timed(markup.render, text, 60)
        print(f"{name:26} {len(text):>10,}  {before:>9}  {after}", flush=True)
    for name, shape in SHAPES.items():
        if args.only and args.only not in name:
            continue
        before_gave_up = False
        for size in sizes:
            text = shape(size)
            before = None if before_gave_up else timed(unguarded, text, args.limit)
            before_gave_up = before is None
            after = timed(markup.render, text, args.limit) or f"> {args.limit:.0f} s"
            before = before or f"> {args.limit:.0f} s"
            print(f"{name:26} {len(text):>10,}  {before:>9}  {after}", flush=True)
    text = articles()["article at the length limit"]
    html = unguarded(text)
    start = time.perf_counter()
    markup_budget.check_markdown(text)
    markup_budget.check_html(html)
    checks = (time.perf_counter() - start) * 1000
    print(f"\nThe checks on the article at the length limit: {checks:.1f} ms")
    print(f"fork and wait, per render, if rendering ran in a child: {fork_cost():.1f} ms")


if __name__ == "__main__":
    main()
