"""User-facing errors: bad input is reported as one line naming the file, the field and the problem.

The CLI turns every `InputError` into exit code 2 without a traceback; anything else is a bug.
"""

from __future__ import annotations


class InputError(Exception):
    """A problem with something the user gave us (a file, an option, a `--set` override)."""

    def __init__(self, source: str, field: str | None, problem: str):
        self.source = source
        self.field = field
        self.problem = problem
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{self.source}: {self.field}" if self.field else self.source
        return f"{where}: {self.problem}"


class OutputError(Exception):
    """The output location cannot be used as asked (exists, not writable, ...)."""
