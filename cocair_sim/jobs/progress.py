"""What a caller hears while a job works: a protocol with silent defaults."""

from __future__ import annotations


class Progress:
    """Told when a job's work begins, as it advances, and when it ends; says nothing itself.

    The command line passes a progress bar (`cli.common.RichProgress`); code that drives jobs
    from Python may pass its own subclass, or nothing."""

    def begin(self, name: str, total: int, done: int, backend: str, workers: int) -> None:
        """`total` units of work are planned (runs, draws, generations), `done` of them already
        stored by an earlier session."""

    def advance(self, n: int) -> None:
        """`n` more units are finished and stored."""

    def end(self) -> None:
        """No more work (finished, failed or interrupted)."""
