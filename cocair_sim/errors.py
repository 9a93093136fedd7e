"""User-facing errors: bad input is reported as one line naming the file, the field and the problem.

The CLI turns every `InputError` into exit code 2 without a traceback; anything else is a bug.
The message is always a single, bounded line: line breaks and other control characters coming
from a file (a key with a newline in it, say) are shown escaped, and very long fields or problems
are shortened in the middle.
"""

from __future__ import annotations

MAX_FIELD_CHARS = 300
MAX_PROBLEM_CHARS = 600
MAX_SOURCE_CHARS = 1000


def one_line(text: object, limit: int) -> str:
    """`text` as a single printable line of at most about `limit` characters."""
    s = str(text)
    if len(s) > limit:
        s = f"{s[: limit // 2]} ... {s[-(limit // 2) :]}"
    if s.isprintable():
        return s
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in s)


class InputError(Exception):
    """A problem with something the user gave us (a file, an option, a `--set` override)."""

    def __init__(self, source: str, field: str | None, problem: str):
        self.source = source
        self.field = field
        self.problem = problem
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one line the user sees: file, field and problem."""
        source = one_line(self.source, MAX_SOURCE_CHARS)
        where = f"{source}: {one_line(self.field, MAX_FIELD_CHARS)}" if self.field else source
        return f"{where}: {one_line(self.problem, MAX_PROBLEM_CHARS)}"


class OutputError(Exception):
    """The output location cannot be used as asked (exists, not writable, ...)."""

    def __init__(self, message: str):
        super().__init__(one_line(message, MAX_SOURCE_CHARS + MAX_PROBLEM_CHARS))
