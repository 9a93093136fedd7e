"""The classroom page's web assets, kept on this computer so the page works with no internet.

Solara loads its front-end (the vuetify app, requirejs, fonts, vega) through a CDN proxy at run
time; without internet the page stays blank unless the proxy's cache holds those files. This
fills the cache (Solara's `assets.proxy_cache_dir`, `<venv>/share/solara/cdn`) from the npm
registry, once: with `npm pack` when npm is installed, otherwise by downloading the tarballs
with Python. A stamp file makes later checks instant.

    python -m cocair_sim.classroom.assets     # what the setup scripts run
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import solara.server
from solara.server import settings

REGISTRY = "https://registry.npmjs.org/"
PROBE_SECONDS = 5.0  # how long to wait for the registry's first answer
STAMP = ".offline-assets-complete"
# Assets beyond the ones named in Solara's page template (those are found from it): icons
# (the template's fontawesome_path), the SolaraViz grid (solara.GridDraggable), vega for
# solara.FigureAltair (Mesa's altair components), katex and mermaid for solara.Markdown.
# (directory in the cache, npm spec)
EXTRA_ASSETS = (
    ("font-awesome@4.5.0", "font-awesome@4.5.0"),
    ("@widgetti/vue-grid-layout@2.3.13-alpha.2", "@widgetti/vue-grid-layout@2.3.13-alpha.2"),
    ("vega@5", "vega@5"),
    ("vega-lite@5", "vega-lite@5"),
    ("vega-embed@6", "vega-embed@6"),
    ("katex@0.16.9", "katex@0.16.9"),
    ("mermaid@10.8.0", "mermaid@10.8.0"),
)


class AssetsUnavailable(Exception):
    """The assets are not cached and cannot be fetched (no connection to the npm registry)."""


def cache_dir() -> Path:
    """Where Solara's CDN proxy looks for cached files."""
    return Path(settings.assets.proxy_cache_dir).resolve()


def _template_assets() -> set[str]:
    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    found = set(re.findall(r"cdn\}\}/((?:@[\w-]+/)?[\w.-]+@[\w.-]+)", template.read_text()))
    # The template loads the vuetify3 app only with ipyvue 3 (which leaves SolaraViz pages
    # blank, hence the ipyvue<2 pin); skip the unused variant.
    vue3 = version("ipyvue").startswith("3")
    return {spec for spec in found if ("vuetify3-app" in spec) == vue3 or "vuetify" not in spec}


def needed() -> list[tuple[str, str]]:
    """(directory in the cache, npm spec) of every package the page needs."""
    return [(spec, spec) for spec in sorted(_template_assets())] + list(EXTRA_ASSETS)


def required_files() -> list[str]:
    """Files the page asks for, relative to the cache (a complete cache holds them all)."""
    widgets_major = version("ipywidgets").split(".")[0]
    files = [
        "requirejs@2.3.6/require.js",
        "font-awesome@4.5.0/css/font-awesome.min.css",
        "@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/vue-grid-layout.umd.js",
        "vega@5/build/vega.min.js",
        "vega-lite@5/build/vega-lite.min.js",
        "vega-embed@6/build/vega-embed.min.js",
    ]
    for spec in _template_assets():
        if "vuetify" in spec:
            files += [
                f"{spec}/dist/main{widgets_major}.css",
                f"{spec}/dist/fonts.css",
                f"{spec}/dist/solara-vuetify-app{widgets_major}.min.js",
            ]
    return files


def _stamp_text() -> str:
    listing = json.dumps([list(pair) for pair in EXTRA_ASSETS])
    return f"solara {version('solara')} {listing}"


def missing(cache: Path | None = None) -> list[str]:
    """Required files the cache does not hold (empty: the page works offline)."""
    cache = cache or cache_dir()
    return [f for f in required_files() if not (cache / f).is_file()]


def is_ready(cache: Path | None = None) -> bool:
    """Whether the cache is complete for this Solara and asset list (the stamp matches and no
    required file is missing), so the page works offline with nothing to fetch."""
    cache = cache or cache_dir()
    stamp = cache / STAMP
    return stamp.is_file() and stamp.read_text() == _stamp_text() and not missing(cache)


def ensure(log: Callable[[str], None] = lambda line: None) -> Path:
    """Fill the cache with whatever is missing; returns the cache folder. Raises
    `AssetsUnavailable` when something is missing and the npm registry cannot be reached."""
    cache = cache_dir()
    if is_ready(cache):
        return cache
    cache.mkdir(parents=True, exist_ok=True)
    required = required_files()
    todo = [
        (directory, spec)
        for directory, spec in needed()
        if not _complete(cache, directory, required)
    ]
    if todo:
        log(
            f"preparing the page's web assets for offline use: {len(todo)} package(s) from the "
            f"npm registry into {cache} (once)"
        )
    if todo and not _reachable(todo[0][1]):
        raise AssetsUnavailable(
            f"the page's web assets are not on this computer yet ({len(todo)} package(s)) and "
            f"the npm registry ({_registry()}) cannot be reached: the classroom pages need a "
            "connection once to fetch them (or set NPM_CONFIG_REGISTRY to a mirror)"
        )
    started = time.monotonic()
    for directory, spec in todo:
        try:
            _install(cache, directory, spec)
        except (OSError, subprocess.SubprocessError, tarfile.TarError, ValueError) as exc:
            raise AssetsUnavailable(
                f"could not fetch {spec} from the npm registry ({_reason(exc)}); the classroom "
                "page needs it once, with a connection to registry.npmjs.org (or set "
                "NPM_CONFIG_REGISTRY to a mirror)"
            ) from None
        log(f"  cached {directory}")
    still_missing = missing(cache)
    if still_missing:
        raise AssetsUnavailable(f"the page's asset cache is incomplete: {still_missing}")
    (cache / STAMP).write_text(_stamp_text())
    if todo:
        log(f"web assets ready in {time.monotonic() - started:.1f} s")
    return cache


def _complete(cache: Path, directory: str, required: list[str]) -> bool:
    """Unpacked, and holding its required files (else it is fetched again)."""
    if not (cache / directory / "package.json").is_file():
        return False
    return all((cache / f).is_file() for f in required if f.startswith(directory + "/"))


def _install(cache: Path, directory: str, spec: str) -> None:
    target = cache / directory
    with tempfile.TemporaryDirectory(dir=cache, prefix=".tmp-") as tmp:
        tmpdir = Path(tmp)
        tgz = _fetch_tarball(spec, tmpdir)
        unpack = tmpdir / "unpacked"
        with tarfile.open(tgz) as tf:
            tf.extractall(unpack, filter="data")
        roots = [p for p in unpack.iterdir() if p.is_dir()]
        if len(roots) != 1:
            raise ValueError(f"unexpected layout in the tarball of {spec}")
        # Source maps are only fetched by an open devtools panel.
        for sourcemap in roots[0].rglob("*.map"):
            sourcemap.unlink()
        # Moved into place only when complete (package.json marks a finished directory).
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        roots[0].rename(target)


def _reachable(spec: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether the npm registry knows a package the page needs, answering within `timeout`
    seconds (through the environment's proxy, as the fetch would go): offline, say so at once
    rather than after each package's download has timed out."""
    name = spec[: spec.rindex("@")] if spec.rindex("@") > 0 else spec
    url = f"{_registry()}/{name.replace('/', '%2F')}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return True
    except (OSError, ValueError):  # refused, timed out, or an answer that is not the package
        return False


def _registry() -> str:
    return os.environ.get("NPM_CONFIG_REGISTRY", REGISTRY).rstrip("/")


def _fetch_tarball(spec: str, dest: Path) -> Path:
    npm = shutil.which("npm")
    if npm:
        out = subprocess.run(
            [npm, "pack", "--silent", "--pack-destination", str(dest), spec],
            cwd=dest,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        ).stdout.split()
        return dest / out[-1]
    name, want = spec[: spec.rindex("@")], spec[spec.rindex("@") + 1 :]
    with urllib.request.urlopen(f"{_registry()}/{name.replace('/', '%2F')}", timeout=60) as r:
        versions = json.load(r)["versions"]
    if want in versions:
        chosen = want
    else:  # a bare major ("vega@5"): its newest release
        releases = [v for v in versions if "-" not in v and v.split(".")[0] == want]
        if not releases:
            raise ValueError(f"no version of {name} matches {want!r}")
        chosen = max(releases, key=lambda v: tuple(int(x) for x in re.findall(r"\d+", v)[:3]))
    tgz = dest / "package.tgz"
    with urllib.request.urlopen(versions[chosen]["dist"]["tarball"], timeout=120) as r:
        tgz.write_bytes(r.read())
    return tgz


def _reason(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError) and exc.stderr:
        return exc.stderr.strip().splitlines()[-1]
    return str(getattr(exc, "reason", None) or exc) or type(exc).__name__


def main() -> int:
    """Fill the cache, reporting on stderr; exit code 1 when it cannot be completed."""
    try:
        ensure(log=lambda line: print(line, file=sys.stderr))
    except AssetsUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
