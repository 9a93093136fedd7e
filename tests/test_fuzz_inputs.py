"""Input fuzzing (issue #8): hostile scenario, experiment and `--set` input either validates or is
refused with one `InputError` line naming the file and the field; never a traceback, a hang,
unbounded memory or code execution."""

from __future__ import annotations

import ast
import copy
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocair_sim.errors import InputError
from cocair_sim.experiment import load_experiment
from cocair_sim.overrides import parse_set_options
from cocair_sim.scenario import Scenario, load_scenario, scenario_from_mapping
from cocair_sim.scenario import scenario_with_overrides as with_overrides
from cocair_sim.yamlio import MAX_FILE_BYTES, load_yaml_mapping

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"
CLASSROOM_RAW = yaml.safe_load(CLASSROOM.read_text())
CLASSROOM_TEXT = CLASSROOM.read_text()


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


def assert_one_line_naming(err: InputError, source: str) -> None:
    msg = err.message
    assert len(msg.splitlines()) == 1, msg
    assert source in msg, msg
    assert len(msg) < 3000


# -- in process: only InputError, ever ----------------------------------------------------------


@fuzz(250)
@given(mutated())
def test_mutated_scenario_mapping_validates_or_raises_input_error(data):
    try:
        spec = scenario_from_mapping(data, "fuzz.yaml")
    except InputError as err:
        assert_one_line_naming(err, "fuzz.yaml")
    else:
        assert isinstance(spec, Scenario)


@fuzz(60)
@given(mutated())
def test_mutated_scenario_file_validates_or_raises_input_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        try:
            path.write_text(yaml.safe_dump(data, allow_unicode=True))
        except (yaml.YAMLError, ValueError):
            return
        try:
            load_scenario(path)
        except InputError as err:
            assert_one_line_naming(err, str(path))


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


def _experiment_doc():
    return {
        "name": "fuzz",
        "scenario": str(CLASSROOM),
        "replications": 2,
        "base_seed": 1,
        "set": {"calendar.days": 10, "calendar.operation_start": 2, "calendar.operation_days": 5},
        "conditions": [
            {"name": "none", "set": {"relay.mode": "none"}},
            {"name": "hub", "set": {"relay.mode": "hub"}},
        ],
        "sweep": [{"parameter": "relay.hub_latency_hours", "values": [1, 24]}],
        "metrics": ["operation.kg_seized", "kg_shipped"],
    }


EXPERIMENT_RAW = _experiment_doc()
EXPERIMENT_PATHS = [p for p in _paths(EXPERIMENT_RAW) if p]


@fuzz(120)
@given(mutated(base=EXPERIMENT_RAW, paths=EXPERIMENT_PATHS))
def test_mutated_experiment_validates_or_raises_input_error(doc):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exp.yaml"
        try:
            path.write_text(yaml.safe_dump(doc, allow_unicode=True))
        except (yaml.YAMLError, ValueError):
            return
        try:
            exp = load_experiment(path)
        except InputError as err:
            assert_one_line_naming(err, str(path))
        else:
            assert exp.run_count() >= 1
            exp.content_hash()


# -- hostile YAML, refused quickly ---------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)

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


# -- semantic checks, one test each --------------------------------------------------------------


def _org(d, i=0):
    return d["organisations"][i]


SEMANTIC = [
    (
        "unknown airport in sources",
        lambda d: _org(d).update(sources=["GRU", "XXX"]),
        "organisations[0](Lusophone network).sources[1]",
        "unknown airport XXX",
    ),
    (
        "unknown airport in markets",
        lambda d: _org(d).update(markets=["QQQ"]),
        "organisations[0](Lusophone network).markets[0]",
        "unknown airport QQQ",
    ),
    (
        "link from undeclared airport",
        lambda d: d["links"].append({"from": "XYZ", "to": "LIS", "weekly": 3}),
        "links[14].from",
        "XYZ is not declared",
    ),
    (
        "link to itself",
        lambda d: d["links"].append({"from": "LIS", "to": "LIS", "weekly": 3}),
        "links[14]",
        "two different airports",
    ),
    ("hub not in network", lambda d: d["relay"].update(hub_airport="ACC"), "relay.hub_airport", ""),
    (
        "negative capacity",
        lambda d: d["customs_defaults"].update(capacity_per_day=-5),
        "customs_defaults.capacity_per_day",
        "greater than 0",
    ),
    (
        "zero airport capacity",
        lambda d: d["airports"][3]["customs"].update(capacity_per_day=0),
        "airports[3](DKR).customs.capacity_per_day",
        "greater than 0",
    ),
    (
        "zero hub capacity",
        lambda d: d["relay"].update(hub_capacity_per_day=0),
        "relay.hub_capacity_per_day",
        "greater than 0",
    ),
    (
        "negative probability",
        lambda d: d["customs_defaults"]["detection"].update(cargo=-0.1),
        "customs_defaults.detection.cargo",
        "greater than or equal to 0",
    ),
    (
        "probability above 1",
        lambda d: d["relay"].update(talk_probability=1.01),
        "relay.talk_probability",
        "less than or equal to 1",
    ),
    (
        "nan probability",
        lambda d: d["relay"].update(news_probability=math.nan),
        "relay.news_probability",
        "",
    ),
    (
        "operation starts after the calendar",
        lambda d: d["calendar"].update(operation_start=30),
        "calendar.operation_days",
        "ends after",
    ),
    (
        "operation runs past the calendar",
        lambda d: d["calendar"].update(operation_days=15),
        "calendar.operation_days",
        "ends after",
    ),
    (
        "no reachable market",
        lambda d: d["links"].__setitem__(
            slice(None), [lk for lk in d["links"] if "LIS" not in (lk["from"], lk["to"])]
        ),
        "organisations[0](Lusophone network).markets",
        "no itinerary",
    ),
    (
        "source that is not a source airport",
        lambda d: _org(d).update(sources=["GRU", "DKR"]),
        "organisations[0](Lusophone network).sources[1]",
        "role 'source'",
    ),
    (
        "market that is not a destination",
        lambda d: _org(d).update(markets=["LIS", "CMN"]),
        "organisations[0](Lusophone network).markets[1]",
        "role 'destination'",
    ),
    (
        "duplicate airport",
        lambda d: d["airports"].append(dict(d["airports"][1])),
        "airports[8].iata",
        "duplicate airport FOR",
    ),
    (
        "duplicate organisation",
        lambda d: d["organisations"].append(copy.deepcopy(_org(d, 1))),
        "organisations[2].name",
        "duplicate organisation",
    ),
    (
        "courier numbers beyond reason",
        lambda d: _org(d).update(couriers_per_week=1e12),
        "organisations[0](Lusophone network).couriers_per_week",
        "less than or equal",
    ),
    (
        "infinite price",
        lambda d: _org(d).update(sell_price_per_kg=math.inf),
        "organisations[0](Lusophone network).sell_price_per_kg",
        "",
    ),
]


@pytest.mark.parametrize(
    ("label", "mutate", "field", "problem"), SEMANTIC, ids=[c[0] for c in SEMANTIC]
)
def test_semantic_checks_name_the_field(label, mutate, field, problem):
    data = copy.deepcopy(CLASSROOM_RAW)
    mutate(data)
    with pytest.raises(InputError) as info:
        scenario_from_mapping(data, "semantic.yaml")
    err = info.value
    assert err.source == "semantic.yaml"
    assert err.field is not None and err.field.startswith(field), err.message
    assert problem in err.problem, err.message


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"conditions": [{"name": "a"}, {"name": "a"}]}, "conditions", "duplicate condition"),
        ({"conditions": [{"name": "../up"}]}, "conditions[0](../up).name", "pattern"),
        ({"conditions": [{"name": "a/b"}]}, "conditions[0](a/b).name", "pattern"),
        ({"conditions": [{"name": ".hidden"}]}, "conditions[0](.hidden).name", "pattern"),
        ({"name": "x/../../y"}, "name", "pattern"),
        ({"name": "/abs"}, "name", "pattern"),
        (
            {"sweep": [{"parameter": f"p{i}", "values": list(range(200))} for i in range(2)]},
            "(top level)",
            "limit",
        ),
        ({"replications": 10**9}, "replications", "less than or equal"),
        ({"scenario": "bad\x00name.yaml"}, "scenario", "not found"),
        ({"scenario": "."}, "scenario", "not found"),
        ({"set": {"a." * 40 + "b": 1}}, "conditions[0](none)", "deeper"),
    ],
)
def test_experiment_semantic_checks(tmp_path, change, field, problem):
    doc = {**_experiment_doc(), **change}
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as info:
        load_experiment(path)
    assert info.value.field is not None and info.value.field.startswith(field), info.value.message
    assert problem in info.value.message, info.value.message


# -- no code execution from files ----------------------------------------------------------------

PACKAGE = ROOT / "cocair_sim"
FORBIDDEN_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}


def test_package_never_evaluates_or_unpickles_input():
    """Static check of the whole package: no eval/exec, no pickle-like modules, and YAML only
    through the bounded safe loader."""
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                mod = getattr(node, "module", None) or ""
                for name in [mod, *names]:
                    if name.split(".")[0] in FORBIDDEN_MODULES:
                        problems.append(f"{where}: imports {name}")
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if isinstance(func, ast.Name) and name in {"eval", "exec", "compile"}:
                problems.append(f"{where}: calls {name}()")
            if name in {"unsafe_load", "full_load", "load_all", "unsafe_load_all"}:
                problems.append(f"{where}: calls yaml.{name}()")
            if name == "load" and isinstance(func, ast.Attribute):
                base = func.value
                if isinstance(base, ast.Name) and base.id == "yaml":
                    loader = {k.arg: k.value for k in node.keywords}.get("Loader")
                    if not (isinstance(loader, ast.Name) and loader.id == "_BoundedLoader"):
                        problems.append(f"{where}: yaml.load without the bounded safe loader")
    assert not problems, "\n".join(problems)


def test_bounded_loader_is_a_safe_loader():
    from yaml.constructor import SafeConstructor

    from cocair_sim.yamlio import _BoundedLoader

    assert issubclass(_BoundedLoader, SafeConstructor)
    assert "tag:yaml.org,2002:python/object/apply" not in _BoundedLoader.yaml_multi_constructors


# -- the command line: exit 2, one line naming the file, no traceback ---------------------------


def cocair(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "cocair_sim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _assert_clean_exit_2(res, name):
    assert res.returncode == 2, (res.returncode, res.stderr[-2000:])
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert name in lines[0], lines[0]


CLI_FILES = {
    "alias bomb": BILLION_LAUGHS,
    "python tag": "name: !!python/object/apply:os.system ['touch PWNED']\n",
    "python tag in a list": "airports:\n  - !!python/object/apply:os.system ['touch PWNED']\n",
    "random bytes": bytes(range(256)) * 3,
    "truncated": CLASSROOM_TEXT[: len(CLASSROOM_TEXT) // 2],
    "key with a newline": yaml.safe_dump({**CLASSROOM_RAW, "bad\nkey": 1}),
    "deep nesting": "a: " + "[" * 100_000,
}


@pytest.mark.parametrize("label", list(CLI_FILES))
def test_check_refuses_hostile_files_with_exit_2(tmp_path, label):
    content = CLI_FILES[label]
    path = tmp_path / "hostile.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    res = cocair("check", path, cwd=tmp_path)
    _assert_clean_exit_2(res, str(path))
    assert not (tmp_path / "PWNED").exists()


def test_check_refuses_100_mb_file_quickly(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)
    started = time.perf_counter()
    res = cocair("check", path, cwd=tmp_path)
    assert time.perf_counter() - started < 30  # includes interpreter start-up
    _assert_clean_exit_2(res, str(path))


def test_experiment_with_python_tag_executes_nothing(tmp_path):
    doc = yaml.safe_dump(_experiment_doc()) + "description: !!python/object/apply:os.system "
    path = tmp_path / "exp.yaml"
    path.write_text(doc + "['touch PWNED']\n")
    res = cocair("experiment", path, "--out", tmp_path / "never", cwd=tmp_path)
    _assert_clean_exit_2(res, str(path))
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "never").exists()


@pytest.mark.parametrize(
    ("sets", "expect"),
    [
        (["relay.hub_latency_hours=.nan"], "relay.hub_latency_hours"),
        (["customs_defaults.capacity_per_day=" + "9" * 5000], "--set"),
        (["relay.mode=!!python/object/apply:os.system ['touch PWNED']"], "--set"),
        (["calendar.days=2024-13-45"], "calendar.days"),
        (["airports.ZZZ.participant=true"], "--set"),
        (["relay.bilateral_probability=2"], "relay.bilateral_probability"),
        (["a." * 30 + "b=1"], "--set"),
        (["organisations.0.sources=[GRU, DKR]"], "role 'source'"),
    ],
)
def test_run_refuses_hostile_set_options_with_exit_2(tmp_path, sets, expect):
    args = [x for s in sets for x in ("--set", s)]
    res = cocair("run", CLASSROOM, *args, "--out", tmp_path / "never", cwd=tmp_path)
    name = "--set" if expect == "--set" else str(CLASSROOM)
    _assert_clean_exit_2(res, name)
    assert expect in res.stderr
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "never").exists()


def test_markup_in_a_field_name_is_printed_not_interpreted(tmp_path):
    res = cocair("run", CLASSROOM, "--set", "relay.x[/y]=1", cwd=tmp_path)
    _assert_clean_exit_2(res, str(CLASSROOM))
    assert "relay.x[/y]" in res.stderr
