"""How much work formatting one text may cost, so that no body can hold a worker for long.

Python-Markdown is quadratic on some shapes of text, and the sanitiser (nh3, in Rust, where no
signal reaches) on some shapes of HTML. The shapes known to be worst are refused by linear-time
checks before they reach either; anything else is stopped by a CPU-time budget. `bench/markup.py`
times every shape.
"""

import gc
import re
import signal
import threading
from collections import Counter
from contextlib import contextmanager


class TooComplex(ValueError):
    """A text that would take too long to format; str() is the sentence to show its editor."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"This text is too complex to format: {reason}")


# Python-Markdown looks for a link's text by walking in Python, a character at a time, from each
# "[" to its closing "]" (and from "(" to ")" for an address), or to the end of the paragraph if
# there is none: "[" * 5000 costs 12 million steps, seconds. Real prose costs about one step a
# character (each link's text and address walked once), never four.
BRACKET_STEPS_FREE = 100_000
BRACKET_STEPS_PER_CHARACTER = 4
CLOSING = {"[": "]", "(": ")"}
BRACKETS_AND_PARAGRAPH_ENDS = re.compile(r"[][()]|\n[ \t]*\n")
# Each repeat of a footnote reference looks for a free id by trying every one given before it.
MAX_REFERENCES_TO_ONE_FOOTNOTE = 100
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\n]+)\](?!:)")
# All of a text's abbreviations make one regular expression, compiled and run where no signal
# reaches: 50,000 of them overran the budget below by two seconds.
MAX_ABBREVIATIONS = 1_000
ABBREVIATION = re.compile(r"^ {0,3}\*\[[^\]\n]+\] ?:", re.MULTILINE)
# nh3 takes time growing with the square of the depth of nested blocks (raw "<div>" lines or
# "> > > ..."), and of the number of "&" or no-break spaces in one run of text.
MAX_DEPTH = 100
MAX_AMPERSANDS_IN_A_TEXT = 10_000
TOO_DEEP = f"it nests quotes, lists or HTML blocks more than {MAX_DEPTH} deep."
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
# "&amp;", "&nbsp;" and what decodes to them; "&lt;", "&rsquo;" and the like cost nh3 nothing.
TAGS_AND_AMPERSANDS = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*?(/?)>"
    r"|&(?:amp|nbsp|#0*38|#0*160|#x0*26|#x0*a0);|&(?![#a-z0-9]+;)|\xa0",
    re.IGNORECASE,
)
# The longest text formatted: about 30,000 words, a short book. Real text takes about 0.65 µs a
# character (130 ms at this length), so that the budget below can stay near 200 ms for any text.
MAX_CHARACTERS = 200_000
# The backstop for everything else: CPU seconds one render may use (250 ms at the longest). The
# slack, twice what real text needs, keeps a slower machine from refusing a long article.
SECONDS_FREE = 0.15
SECONDS_PER_CHARACTER = 0.5e-6


def seconds_for(text: str) -> float:
    return SECONDS_FREE + SECONDS_PER_CHARACTER * len(text)


def check_markdown(text: str) -> None:
    """Refuse texts over MAX_CHARACTERS, and the Markdown shapes on which Python-Markdown is
    quadratic, in linear time."""
    if len(text) > MAX_CHARACTERS:
        raise TooComplex(
            f"it is {len(text):,} characters long; at most {MAX_CHARACTERS:,} "
            "(about 30,000 words) can be formatted."
        )
    references = Counter(FOOTNOTE_REFERENCE.findall(text))
    if references and max(references.values()) > MAX_REFERENCES_TO_ONE_FOOTNOTE:
        label, count = references.most_common(1)[0]
        raise TooComplex(
            f"the footnote [^{label[:20]}] is referred to {count:,} times; "
            f"at most {MAX_REFERENCES_TO_ONE_FOOTNOTE} references to one footnote are allowed."
        )
    abbreviations = len(ABBREVIATION.findall(text))
    if abbreviations > MAX_ABBREVIATIONS:
        raise TooComplex(
            f"it defines {abbreviations:,} abbreviations; "
            f"at most {MAX_ABBREVIATIONS:,} are allowed."
        )
    budget = BRACKET_STEPS_FREE + BRACKET_STEPS_PER_CHARACTER * len(text)
    steps = position = 0
    still_open: Counter[str] = Counter()
    for match in BRACKETS_AND_PARAGRAPH_ENDS.finditer(text):
        # Each bracket still open is walked over the text between the last mark and this one.
        steps += (match.start() - position) * still_open.total()
        position = match.start()
        if steps > budget:
            raise TooComplex(
                "it has too many brackets, [ or (, that are not closed in the same paragraph."
            )
        mark = match.group()
        if mark in CLOSING:
            still_open[CLOSING[mark]] += 1
        elif mark in still_open:
            still_open[mark] = max(0, still_open[mark] - 1)
        elif mark not in CLOSING.values():
            still_open.clear()


def check_html(html: str) -> None:
    """Refuse the HTML shapes on which the sanitiser is quadratic, in linear time."""
    depth = ampersands = 0
    for match in TAGS_AND_AMPERSANDS.finditer(html):
        closing, tag, self_closing = match.groups()
        if tag is None:
            ampersands += 1
            if ampersands > MAX_AMPERSANDS_IN_A_TEXT:
                raise TooComplex(
                    f"a paragraph or block has more than {MAX_AMPERSANDS_IN_A_TEXT:,} "
                    "& signs or no-break spaces."
                )
            continue
        ampersands = 0
        if tag.lower() in VOID_TAGS or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > MAX_DEPTH:
            raise TooComplex(TOO_DEEP)


class _OverBudget(BaseException):
    """The timer's signal: not an Exception, so that no library's `except Exception` eats it."""


def _over_budget(signum, frame):
    raise _OverBudget


@contextmanager
def cpu_seconds(seconds: float):
    """Raise TooComplex inside the block once the process has used `seconds` of CPU time.

    CPU time, not the clock's: a busy machine must not refuse a text that a quiet one formats.
    A signal reaches only the main thread, where gunicorn's sync workers and the CLI run; in other
    threads (the development server's) only the checks guard. The timer fires once, so it can never
    go off again after the block, whenever the first signal arrives.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # No garbage collection inside: a full collection of a large heap costs more CPU than a long
    # text, and is not the text's cost; and the signal, arriving in a collector's callback, would
    # be swallowed there as "unraisable" instead of stopping the render.
    collecting = gc.isenabled()
    gc.disable()
    previous = signal.signal(signal.SIGPROF, _over_budget)
    try:
        signal.setitimer(signal.ITIMER_PROF, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _OverBudget:
        raise TooComplex("it would take too long to format.") from None
    finally:
        signal.signal(signal.SIGPROF, previous)
        if collecting:
            gc.enable()
