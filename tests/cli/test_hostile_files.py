"""The command line refuses hostile files: exit 2, one line naming the file, no traceback,
nothing executed, nothing written."""

from __future__ import annotations

import time

import pytest
import yaml

from tests.files.hostile import BILLION_LAUGHS, CLASSROOM_RAW, CLASSROOM_TEXT, experiment_doc
from tests.helpers import CLASSROOM, cocair


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
    doc = yaml.safe_dump(experiment_doc()) + "description: !!python/object/apply:os.system "
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
