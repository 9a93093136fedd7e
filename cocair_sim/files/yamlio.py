"""Safe, bounded YAML loading shared by scenario and experiment files.

Files are parsed with PyYAML's safe constructor (no object construction, so `!!python/...` tags
are refused and nothing in a file is ever executed), aliases are refused (an alias bomb would
otherwise expand to gigabytes when validated), duplicate keys are refused (YAML would silently
keep the last one), and size and nesting are capped so hostile input fails fast with an
`InputError` instead of hanging. Only plain data comes out: mappings with text keys, lists,
text, numbers, booleans and null; dates stay text, `!!binary`, `!!set`, `!!omap` are refused.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from cocair_sim.errors import InputError

MAX_FILE_BYTES = 2 * 1024 * 1024  # scenario files are ~20 kB; 100x headroom
MAX_DEPTH = 40
MAX_TEXT_CHARS = 200_000  # a `--set` value

_REFUSED_TAGS = (
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
)


class _PlainResolver(Resolver):
    """YAML 1.1 resolution without implicit timestamps: `2024-01-01` stays text."""


_PlainResolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


class _SafeDataConstructor(SafeConstructor):
    """SafeConstructor that refuses duplicate keys and non-plain types."""

    def construct_mapping(self, node, deep=False):
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen:
                    shown = key_node.value if len(key_node.value) <= 60 else key_node.value[:60]
                    raise ConstructorError(
                        None, None, f"duplicate key '{shown}'", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_timestamp_as_text(self, node):
        return self.construct_scalar(node)

    def construct_refused(self, node):
        raise ConstructorError(
            None,
            None,
            f"the YAML type {node.tag.rsplit(':', 1)[-1]} is not allowed",
            node.start_mark,
        )


_SafeDataConstructor.yaml_constructors = dict(SafeConstructor.yaml_constructors)
_SafeDataConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _SafeDataConstructor.construct_timestamp_as_text
)
for _tag in _REFUSED_TAGS:
    _SafeDataConstructor.add_constructor(_tag, _SafeDataConstructor.construct_refused)


def _compose_node_bounded(self, parent, index):
    """Composer.compose_node, refusing aliases and nesting deeper than MAX_DEPTH."""
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
        return Composer.compose_node(self, parent, index)
    finally:
        self._depth = depth - 1


class _PyLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    Composer,
    _SafeDataConstructor,
    _PlainResolver,
):
    """Pure-Python loader: the fallback when PyYAML was built without libyaml."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        Composer.__init__(self)
        _SafeDataConstructor.__init__(self)
        _PlainResolver.__init__(self)

    compose_node = _compose_node_bounded


try:  # libyaml makes the events about 6x faster; composing stays in Python (bounded above)
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _BoundedLoader: type = _PyLoader
else:

    class _CLoader(CParser, _SafeDataConstructor, _PlainResolver):  # type: ignore[misc]
        """libyaml events, Python composition (so the alias and depth checks apply)."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            _SafeDataConstructor.__init__(self)
            _PlainResolver.__init__(self)
            self.anchors = {}

        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document
        compose_node = _compose_node_bounded
        compose_scalar_node = Composer.compose_scalar_node
        compose_sequence_node = Composer.compose_sequence_node
        compose_mapping_node = Composer.compose_mapping_node
        check_node = Composer.check_node
        get_node = Composer.get_node

    _BoundedLoader = _CLoader


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"invalid YAML: {problem}"


def _check_plain(data: Any, source: str, path: str = "") -> None:
    """Refuse anything but plain JSON-like data (text keys, finite structure)."""
    stack: list[tuple[Any, str]] = [(data, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(key, str):
                    raise InputError(
                        source,
                        where or None,
                        f"mapping key {key!r} must be text (quote it)",
                    )
                stack.append((value, f"{where}.{key}" if where else key))
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(node))
        elif not (node is None or isinstance(node, str | bool | int | float)):
            raise InputError(source, where or None, f"unsupported value type {type(node).__name__}")


def parse_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text safely into plain data; any problem is an `InputError` naming `source`."""
    try:
        data = yaml.load(text, Loader=_BoundedLoader)
    except yaml.YAMLError as exc:
        raise InputError(source, None, _yaml_problem(exc)) from None
    except RecursionError:
        raise InputError(source, None, "input nested too deeply") from None
    except MemoryError:
        raise InputError(source, None, "input too large") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # e.g. an integer with more than 4300 digits, a float too large for `!!int`
        msg = str(exc).split(";")[0]
        raise InputError(source, None, f"invalid YAML value: {msg}") from None
    _check_plain(data, source)
    return data


def load_yaml_mapping(path: str | Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping at the top level."""
    path = Path(path)
    source = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(source, None, "file not found") from None
    except (OSError, ValueError) as exc:
        raise InputError(source, None, f"cannot read file ({_reason(exc)})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(source, None, "is a directory, expected a YAML file")
    if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
        raise InputError(source, None, "is not a regular file")
    if st.st_size > MAX_FILE_BYTES:
        raise InputError(
            source, None, f"file is {st.st_size} bytes; the limit is {MAX_FILE_BYTES} bytes"
        )
    try:
        with open(path, "rb") as fh:
            blob = fh.read(MAX_FILE_BYTES + 1)  # bounded even if the file grows meanwhile
    except OSError as exc:
        raise InputError(source, None, f"cannot read file ({_reason(exc)})") from None
    if len(blob) > MAX_FILE_BYTES:
        raise InputError(source, None, f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(source, None, f"not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise InputError(source, None, "not a text file (contains NUL bytes)")
    data = parse_yaml_text(text, source)
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise InputError(source, None, f"expected a mapping of fields at the top level, got {kind}")
    return data


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def parse_scalar(text: str, source: str) -> Any:
    """Parse the value side of a `--set path=value` override as a YAML scalar or flow list."""
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(source, None, f"value longer than {MAX_TEXT_CHARS} characters")
    return parse_yaml_text(text, source) if text.strip() else ""


def referenced_file(path: Path, name: str, field: str) -> Path:
    """The file a file names relative to itself (an experiment's scenario, say), resolved; an
    `InputError` naming `path` and `field` when it does not exist."""
    try:
        target = (Path(path).parent / name).resolve()
        found = target.is_file()
    except (OSError, ValueError, RuntimeError):
        found = False
    if not found:
        raise InputError(str(path), field, f"file not found: {name}")
    return target
