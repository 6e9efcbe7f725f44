"""Forms that say which of their files is too large, next to its field, instead of a 413 page.

Elsewhere a body over MAX_CONTENT_LENGTH gets 413 before anything of it is read, which loses
what the sender typed. A view marked `large_form` takes a body up to LARGE_FORM_CONTENT_LENGTH
instead, and keeps its files while together they fit in MAX_CONTENT_LENGTH: a file that would
pass it is counted as it streams by and dropped, so it costs no more memory or disk than a file
that is taken, and the view refuses it with `refusal()`. The other fields are parsed as usual.
"""

from tempfile import SpooledTemporaryFile

from flask import current_app, request
from werkzeug.datastructures import FileStorage
from werkzeug.formparser import FormDataParser

# What Werkzeug keeps of a file in memory before moving it to disk.
IN_MEMORY = 500 * 1024
MIB = 1024 * 1024


def large_form(view):
    """Mark a view whose form's files over the limit are refused next to their field."""
    view.large_form = True
    return view


def allow_large_form() -> None:
    """Before anything reads the body (the CSRF check does): a marked view's larger limit."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "large_form", False):
        request.max_content_length = current_app.config["LARGE_FORM_CONTENT_LENGTH"]
        request.form_data_parser_class = FilesUpToLimit


class FilesUpToLimit(FormDataParser):
    """A form's parser that keeps its files while they fit in MAX_CONTENT_LENGTH together."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["stream_factory"] = self.new_file
        super().__init__(*args, **kwargs)
        self.room = current_app.config["MAX_CONTENT_LENGTH"]

    def new_file(self, *args, **kwargs) -> "CountedFile":
        return CountedFile(self)


class CountedFile(SpooledTemporaryFile):
    """One file of the form: kept while it fits in the room its form has left; past that,
    emptied, and only its size counted."""

    def __init__(self, form: FilesUpToLimit) -> None:
        super().__init__(max_size=IN_MEMORY, mode="w+b")
        self.form, self.size, self.dropped = form, 0, False

    def write(self, data) -> int:
        self.size += len(data)
        if self.dropped:
            return len(data)
        if len(data) > self.form.room:
            # The room it took goes back to the form's other files.
            self.form.room += self.tell()
            self.seek(0)
            self.truncate()
            self.dropped = True
            return len(data)
        self.form.room -= len(data)
        return super().write(data)


def refusal(upload: FileStorage) -> str:
    """Why a file sent to a `large_form` view was dropped, or "" when it was kept."""
    stream = upload.stream
    if not getattr(stream, "dropped", False):
        return ""
    size, most = stream.size / MIB, current_app.config["MAX_CONTENT_LENGTH"] / MIB
    if stream.size > current_app.config["MAX_CONTENT_LENGTH"]:
        return f"This file is {size:.3g} MB; the largest we take is {most:.3g} MB."
    return (
        f"This file is {size:.3g} MB, and with the other files more than the {most:.3g} MB we "
        "take at once: send it again on its own."
    )
