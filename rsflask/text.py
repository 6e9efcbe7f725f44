"""Characters that no one types on purpose and that XML cannot carry, dropped in one place."""

import re

# XML 1.0 allows tab, line feed and carriage return of the C0 controls, no lone surrogate, and
# neither U+FFFE nor U+FFFF; one of them in a title would make every feed that names it
# ill-formed. DEL is allowed there but, like the rest, only ever arrives pasted or forged.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def drop_control(text: str) -> str:
    """The text without control characters (tab and line breaks stay) or non-characters."""
    return CONTROL.sub("", text)
