"""Write the table of docs/settings.md from rsflask/settings.py: each setting's name, its default
and the comment just above it, in the file's order. Run it after changing a setting:

    python scripts/settings_reference.py

Only the lines between the table's two marker comments are written; the rest of the page is
prose kept as it is. tests/test_settings_reference.py fails while the page differs from this.
"""

import ast
import re
import runpy
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "rsflask" / "settings.py"
DOC = ROOT / "docs" / "settings.md"
COMMAND = "python scripts/settings_reference.py"
BEGIN = f"<!-- Made from the comments in rsflask/settings.py by `{COMMAND}`: edit those. -->"
END = "<!-- End of the table made from rsflask/settings.py. -->"
MIB = 1024 * 1024
# Names of settings (MAIL_SERVER) and families of them (MAIL_*), set in code font.
SETTING_NAME = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]*\*?")


@dataclass
class Setting:
    name: str
    default: str
    meaning: str


def read_settings(source: str, values: dict) -> list[Setting]:
    """Every setting of the source, in order; ValueError for one without a comment above it."""
    lines = source.splitlines()
    module = ast.parse(source)
    settings = []
    for node in module.body:
        if isinstance(node, ast.Expr) and node is module.body[0]:
            continue  # the docstring
        if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
            raise ValueError(f"settings.py line {node.lineno}: only `NAME = default` lines")
        name = node.targets[0].id
        comment = []
        above = node.lineno - 2
        while above >= 0 and lines[above].startswith("#"):
            comment.insert(0, lines[above].removeprefix("#").strip())
            above -= 1
        if not comment:
            raise ValueError(f"settings.py line {node.lineno}: {name} needs a comment above it")
        default = written_default(ast.get_source_segment(source, node.value), values.get(name))
        settings.append(Setting(name, default, " ".join(comment)))
    return settings


def written_default(text: str, value) -> str:
    """The default as the code writes it, on one line, with its size when that is in MiB."""
    text = " ".join(line.strip() for line in text.splitlines())
    text = re.sub(r"\[ ", "[", re.sub(r",? \]", "]", text))
    code = f"`{text}`"
    if isinstance(value, int) and str(value) != text and value >= MIB and value % MIB == 0:
        return f"{code} ({value // MIB} MiB)"
    return code


def markdown(comment: str) -> str:
    """A comment as the text of a table cell: setting names in code font, <, > and | escaped."""
    parts = re.split(r"(`[^`]*`)", comment)
    for index in range(0, len(parts), 2):
        text = parts[index].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts[index] = SETTING_NAME.sub(lambda match: f"`{match[0]}`", text)
    return "".join(parts).replace("|", "\\|")


def table(settings: list[Setting]) -> str:
    rows = ["| Setting | Default | Meaning |", "| --- | --- | --- |"]
    for setting in settings:
        default = setting.default.replace("|", "\\|")
        rows.append(f"| `{setting.name}` | {default} | {markdown(setting.meaning)} |")
    return "\n".join(rows) + "\n"


def generated(doc: str) -> str:
    """The page with its table made again from rsflask/settings.py."""
    before, begin, rest = doc.partition(BEGIN)
    _, end, after = rest.partition(END)
    if not (begin and end):
        raise ValueError(f"docs/settings.md needs these lines around its table:\n{BEGIN}\n{END}")
    settings = read_settings(SETTINGS.read_text(encoding="utf-8"), runpy.run_path(str(SETTINGS)))
    return f"{before}{BEGIN}\n\n{table(settings)}\n{END}{after}"


def main() -> None:
    doc = DOC.read_text(encoding="utf-8")
    new = generated(doc)
    if new == doc:
        print("docs/settings.md is up to date.")
    else:
        DOC.write_text(new, encoding="utf-8")
        print("docs/settings.md written.")


if __name__ == "__main__":
    main()
