"""Input fuzzing: hostile scenario, experiment and `--set` input either validates or is refused
with one `InputError` line naming the file and the field; never a traceback, a hang or unbounded
memory. Hostile YAML is refused quickly."""

from __future__ import annotations

import copy
import math
import os
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocair_sim.calibration import load_calibration
from cocair_sim.errors import InputError
from cocair_sim.experiment.posterior import read_posterior
from cocair_sim.experiment.spec import load_experiment
from cocair_sim.files.yamlio import MAX_FILE_BYTES, load_yaml_mapping
from cocair_sim.scenario import Scenario, load_scenario, scenario_from_mapping
from cocair_sim.scenario import scenario_with_overrides as with_overrides
from cocair_sim.scenario.overrides import parse_set_options
from tests.calibration.conftest import SMALL as SMALL_CALIBRATION
from tests.files.hostile import (
    BILLION_LAUGHS,
    CLASSROOM_RAW,
    CLASSROOM_TEXT,
    assert_one_line_naming,
    experiment_doc,
)


def fuzz(examples: int) -> settings:
    """Modest, deterministic example counts: the whole file runs in well under a minute."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


HOSTILE = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            -1,
            0,
            1e308,
            -1e308,
            math.nan,
            math.inf,
            -math.inf,
            True,
            False,
            10**300,
            "x" * 100_000,
            "[/x] closing tag",
            "line\nbreak",
            "\u2028\x85\x00",
            "日本語 ✈",
            [],
            {},
            [[[[[]]]]],
            {"a": {"b": {"c": {}}}},
            "../../etc/passwd",
            "!!python/object/apply:os.system",
            "GRU",
            "ZZZ",
            -0.0,
            2**63,
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.lists(st.integers(), max_size=5),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
)


def _paths(node, prefix=()):
    """Every path (tuple of keys and indices) into a nested mapping, subtrees included."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


CLASSROOM_PATHS = [p for p in _paths(CLASSROOM_RAW) if p]


@st.composite
def mutated(draw, base=CLASSROOM_RAW, paths=CLASSROOM_PATHS, max_edits=3):
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_edits))):
        path = draw(st.sampled_from(paths))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            _ = parent[path[-1]]  # still there?
        except (KeyError, IndexError, TypeError):
            continue
        action = draw(st.sampled_from(["replace", "replace", "delete", "unknown_key"]))
        if action == "replace":
            parent[path[-1]] = draw(HOSTILE)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(HOSTILE)
    return data


@fuzz(250)
@given(mutated())
def test_mutated_scenario_mapping_validates_or_raises_input_error(data):
    try:
        spec = scenario_from_mapping(data, "fuzz.yaml")
    except InputError as err:
        assert_one_line_naming(err, "fuzz.yaml")
    else:
        assert isinstance(spec, Scenario)


def load_written(doc, name: str, load):
    """`load` the YAML file of `doc`: what it returns, or None when the file is refused (with
    one line naming it) or `doc` cannot be written as YAML at all."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        try:
            path.write_text(yaml.safe_dump(doc, allow_unicode=True))
        except (yaml.YAMLError, ValueError):
            return None
        try:
            return load(path)
        except InputError as err:
            assert_one_line_naming(err, str(path))
            return None


@fuzz(60)
@given(mutated())
def test_mutated_scenario_file_validates_or_raises_input_error(data):
    spec = load_written(data, "fuzz.yaml", load_scenario)
    assert spec is None or isinstance(spec, Scenario)


@fuzz(120)
@given(st.binary(max_size=2000))
def test_random_bytes_are_refused_cleanly(blob):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "noise.yaml"
        path.write_bytes(blob)
        with pytest.raises(InputError) as info:
            load_scenario(path)
        assert_one_line_naming(info.value, str(path))


@fuzz(120)
@given(st.integers(0, len(CLASSROOM_TEXT.encode()) - 1), st.binary(max_size=8))
def test_truncated_and_spliced_files_never_crash(offset, junk):
    blob = CLASSROOM_TEXT.encode()[:offset] + junk
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cut.yaml"
        path.write_bytes(blob)
        try:
            load_scenario(path)
        except InputError as err:
            assert_one_line_naming(err, str(path))


SET_PATHS = [".".join(map(str, p)) for p in CLASSROOM_PATHS] + [
    "airports.BKO.customs.capacity_per_day",
    "organisations.Sahel network.couriers_per_week",
    "links.GRU-LIS.weekly",
    "relay.mode",
    "calendar.days",
]


@st.composite
def set_options(draw):
    items = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.one_of(st.sampled_from(SET_PATHS), st.text(max_size=30)))
        value = draw(
            st.one_of(
                st.sampled_from(
                    [
                        "",
                        "-1",
                        "0",
                        "1e308",
                        ".nan",
                        ".inf",
                        "[1, 2",
                        "{a: 1}",
                        "&x [1]",
                        "*x",
                        "!!python/object/apply:os.system ['true']",
                        "2024-13-45",
                        "1" * 5000,
                        "hub",
                        "none",
                        "[]",
                        "null",
                        "yes",
                    ]
                ),
                st.text(max_size=30),
            )
        )
        sep = draw(st.sampled_from(["=", "=", ""]))
        items.append(f"{path}{sep}{value}")
    return items


@fuzz(250)
@given(set_options())
def test_set_options_only_ever_raise_input_error(items):
    try:
        overrides = parse_set_options(items)
        with_overrides(CLASSROOM_RAW, "classroom.yaml", overrides)
    except InputError as err:
        assert len(err.message.splitlines()) == 1, err.message
        assert "--set" in err.message or "classroom.yaml" in err.message, err.message


EXPERIMENT_RAW = experiment_doc()
EXPERIMENT_PATHS = [p for p in _paths(EXPERIMENT_RAW) if p]


@fuzz(120)
@given(mutated(base=EXPERIMENT_RAW, paths=EXPERIMENT_PATHS))
def test_mutated_experiment_validates_or_raises_input_error(doc):
    exp = load_written(doc, "exp.yaml", load_experiment)
    if exp is not None:
        assert exp.run_count() >= 1
        exp.content_hash()


CALIBRATION_RAW = copy.deepcopy(SMALL_CALIBRATION)
CALIBRATION_PATHS = [p for p in _paths(CALIBRATION_RAW) if p]


@fuzz(80)
@given(mutated(base=CALIBRATION_RAW, paths=CALIBRATION_PATHS))
def test_mutated_calibration_validates_or_raises_input_error(doc):
    cal = load_written(doc, "cal.yaml", load_calibration)
    if cal is not None:
        assert cal.targets and cal.spec.parameters
        cal.content_hash()


@fuzz(80)
@given(st.binary(max_size=400))
def test_a_posterior_file_of_any_bytes_is_read_or_refused_cleanly(blob):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posterior.csv"
        path.write_bytes(b"relay.targeting_uplift,weight\n" + blob)
        try:
            posterior = read_posterior(path, "exp.yaml")
        except InputError as err:
            assert_one_line_naming(err, "exp.yaml")
        else:
            assert math.isclose(sum(posterior.weights), 1.0)


HOSTILE_FILES = {
    "alias bomb": (BILLION_LAUGHS, "aliases"),
    "deep flow nesting": ("a: " + "[" * 200_000, "nesting"),
    "deep block nesting": ("".join(f"{' ' * i}k{i}:\n" for i in range(500)) + "x: 1", "nesting"),
    "python tag": ("name: !!python/object/apply:os.system ['touch PWNED']\n", "constructor"),
    "python name tag": ("name: !!python/name:os.system\n", "constructor"),
    "binary": ("name: !!binary aGVsbG8=\n", "not allowed"),
    "set": ("name: !!set {a, b}\n", "not allowed"),
    "duplicate key": ("name: a\nname: b\n", "duplicate key"),
    "huge integer": ("name: " + "9" * 10_000 + "\n", "digits"),
    "bad date": ("name: x\ncalendar: {days: 2024-13-45}\n", "calendar.days"),
    "non-text key": ("1: 2\n", "must be text"),
    "two documents": ("a: 1\n---\nb: 2\n", "document"),
    "list at top": ("- 1\n- 2\n", "mapping"),
    "empty": ("", "empty"),
    "nul bytes": ("name: a\x00b\n", "NUL"),
    "unclosed": ("name: [a, b\n", "line"),
    "tab indent": ("a:\n\tb: 1\n", "line"),
}


@pytest.mark.parametrize("label", list(HOSTILE_FILES))
def test_hostile_yaml_is_refused_quickly(tmp_path, monkeypatch, label):
    text, expect = HOSTILE_FILES[label]
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert time.perf_counter() - started < 5
    assert_one_line_naming(info.value, str(path))
    assert expect in info.value.message, info.value.message
    assert not (tmp_path / "PWNED").exists()


def test_100_mb_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:  # sparse: instant to make
        fh.truncate(100 * 1024 * 1024)
    started = time.perf_counter()
    with pytest.raises(InputError, match="limit"):
        load_scenario(path)
    assert time.perf_counter() - started < 5


def test_largest_allowed_file_parses_quickly(tmp_path):
    path = tmp_path / "big.yaml"
    filler = "# " + "x" * 100 + "\n"
    path.write_text(
        CLASSROOM_TEXT + filler * ((MAX_FILE_BYTES - len(CLASSROOM_TEXT)) // len(filler))
    )
    started = time.perf_counter()
    load_scenario(path)
    assert time.perf_counter() - started < 10


def test_fifo_devices_and_folders_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path, expect in ((fifo, "regular"), (Path("/dev/zero"), "regular"), (tmp_path, "dir")):
        with pytest.raises(InputError, match=expect):
            load_yaml_mapping(path)


def test_wide_flat_list_is_bounded(tmp_path):
    raw = copy.deepcopy(CLASSROOM_RAW)
    raw["links"] = [
        dict(lk) for lk in raw["links"] * 2000
    ]  # 28,000 links, well within the file size limit
    path = tmp_path / "wide.yaml"
    path.write_text(yaml.safe_dump(raw))
    started = time.perf_counter()
    with pytest.raises(InputError, match="links"):
        load_scenario(path)
    assert time.perf_counter() - started < 10


def test_dense_network_is_refused_before_it_is_built():
    raw = copy.deepcopy(CLASSROOM_RAW)
    hubs = [f"T{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(150)]
    raw["airports"] += [
        {"iata": code, "role": "transit", "country": "X", "lat": 0.0, "lon": i * 0.1}
        for i, code in enumerate(hubs)
    ]
    raw["links"] += [
        {"from": a, "to": b, "weekly": 1} for i, a in enumerate(hubs) for b in hubs[i + 1 :]
    ]
    raw["links"] += [{"from": "GRU", "to": h, "weekly": 1} for h in hubs]
    started = time.perf_counter()
    with pytest.raises(InputError, match="too dense"):
        scenario_from_mapping(raw, "dense.yaml")
    assert time.perf_counter() - started < 10
