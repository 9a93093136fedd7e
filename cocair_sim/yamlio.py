"""Safe, bounded YAML loading shared by scenario and experiment files.

Files are parsed with PyYAML's safe loader (no object construction), aliases are refused (an
alias bomb would otherwise expand to gigabytes when validated), and size and nesting are capped
so hostile input fails fast with an `InputError` instead of hanging.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cocair_sim.errors import InputError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 40


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and deep nesting."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "YAML aliases (*name) are not allowed", event.start_mark
            )
        depth = getattr(self, "_depth", 0) + 1
        if depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                None, None, f"nesting deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
            )
        self._depth = depth
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth - 1


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"invalid YAML: {problem}"


def parse_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text safely; errors name `source`."""
    try:
        return yaml.load(text, Loader=_BoundedLoader)
    except yaml.YAMLError as exc:
        raise InputError(source, None, _yaml_problem(exc)) from None
    except RecursionError:
        raise InputError(source, None, "input nested too deeply") from None


def load_yaml_mapping(path: str | Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping at the top level."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(source, None, "file not found") from None
    except OSError as exc:
        raise InputError(source, None, f"cannot read file ({exc.strerror})") from None
    if path.is_dir():
        raise InputError(source, None, "is a directory, expected a YAML file")
    if size > MAX_FILE_BYTES:
        raise InputError(source, None, f"file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(source, None, "not UTF-8 text") from None
    except OSError as exc:
        raise InputError(source, None, f"cannot read file ({exc.strerror})") from None
    data = parse_yaml_text(text, source)
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise InputError(source, None, f"expected a mapping of fields at the top level, got {kind}")
    return data


def parse_scalar(text: str, source: str) -> Any:
    """Parse the value side of a `--set path=value` override as a YAML scalar or flow list."""
    return parse_yaml_text(text, source) if text.strip() else ""
