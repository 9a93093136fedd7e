#!/usr/bin/env bash
# Fill Solara's CDN-proxy cache from the npm registry, so Solara / Mesa SolaraViz pages render
# with no internet (Solara otherwise fetches its front-end from cdn.jsdelivr.net at run time).
#
# Usage: scripts/solara_assets.sh [VENV]        (default: .venv)
#
# The cache is Solara's `assets.proxy_cache_dir`: <VENV>/share/solara/cdn (it lives inside the
# venv; SOLARA_ASSETS_PROXY_CACHE_DIR overrides it). Each package is unpacked as
# <cache>/<name>@<version-or-range>/..., the layout the proxy serves `/_solara/cdn/<path>` from.
# Idempotent: a stamp file makes a second run a ~10 ms no-op; delete the stamp (or set
# SOLARA_ASSETS_FORCE=1) to re-check every package. Uses `npm pack` when npm is installed,
# otherwise downloads the tarballs from the npm registry ($NPM_CONFIG_REGISTRY or
# https://registry.npmjs.org/) with Python.
#
# Tests should run the server with SOLARA_ASSETS_CDN=http://127.0.0.1:9/ so that a cache miss
# fails locally (and visibly) instead of reaching out to the internet.
set -euo pipefail

VENV=${1:-.venv}
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
  echo "solara_assets: no python at $PY (usage: $0 VENV)" >&2
  exit 2
fi

# Assets beyond the ones named in solara.html.j2 (those are found automatically):
#   font-awesome: icons (the template's fontawesome_path), vue-grid-layout: the SolaraViz grid
#   (solara.GridDraggable), vega*: solara.FigureAltair (Mesa altair components),
#   katex + mermaid: solara.Markdown with math / diagrams.
# Format: "<directory in cache>=<npm spec>".
EXTRA_ASSETS="font-awesome@4.5.0=font-awesome@4.5.0
@widgetti/vue-grid-layout@2.3.13-alpha.2=@widgetti/vue-grid-layout@2.3.13-alpha.2
vega@5=vega@5
vega-lite@5=vega-lite@5
vega-embed@6=vega-embed@6
katex@0.16.9=katex@0.16.9
mermaid@10.8.0=mermaid@10.8.0"

# Fast path (no Python start-up): the stamp records the solara version and the asset list.
if [ -z "${SOLARA_ASSETS_PROXY_CACHE_DIR:-}" ] && [ -z "${SOLARA_ASSETS_FORCE:-}" ]; then
  dist=$(ls -d "$VENV"/lib/python3*/site-packages/solara-[0-9]*.dist-info 2>/dev/null | head -1)
  want="${dist##*/} $(printf '%s' "$EXTRA_ASSETS" | cksum | cut -d' ' -f1)"
  stamp="$VENV/share/solara/cdn/.offline-assets-complete"
  if [ -n "$dist" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
  fi
fi

SOLARA_EXTRA_ASSETS="$EXTRA_ASSETS" "$PY" - <<'PY'
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from importlib.metadata import version

import solara.server
import solara.server.settings as settings

cache = pathlib.Path(settings.assets.proxy_cache_dir).resolve()
template = pathlib.Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
found = set(re.findall(r"cdn\}\}/((?:@[\w-]+/)?[\w.-]+@[\w.-]+)", template.read_text()))
# The template loads the vuetify3 app only with ipyvue 3 (which leaves SolaraViz pages blank,
# hence the ipyvue<2 pin); skip the unused variant (about 70 MB).
vue3 = version("ipyvue").startswith("3")
found = {spec for spec in found if ("vuetify3-app" in spec) == vue3 or "vuetify" not in spec}
pairs = [(spec, spec) for spec in sorted(found)]
for line in os.environ["SOLARA_EXTRA_ASSETS"].split():
    directory, spec = line.split("=", 1)
    pairs.append((directory, spec))

registry = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/").rstrip("/")
npm = shutil.which("npm")


def split_spec(spec: str) -> tuple[str, str]:
    at = spec.rindex("@")
    return spec[:at], spec[at + 1 :]


def vkey(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v.split("-")[0])[:3])


def fetch_tarball_python(spec: str, dest: pathlib.Path) -> pathlib.Path:
    """Resolve an exact version or a bare major ('vega@5') and download its tarball."""
    name, want = split_spec(spec)
    url = f"{registry}/{name.replace('/', '%2F')}"
    with urllib.request.urlopen(url, timeout=60) as r:
        doc = json.load(r)
    versions = doc["versions"]
    if want in versions:
        chosen = want
    else:
        ok = [v for v in versions if "-" not in v and v.split(".")[0] == want]
        if not ok:
            raise SystemExit(f"solara_assets: no version of {name} matches {want!r}")
        chosen = max(ok, key=vkey)
    tgz = dest / "pkg.tgz"
    with urllib.request.urlopen(versions[chosen]["dist"]["tarball"], timeout=120) as r:
        tgz.write_bytes(r.read())
    return tgz


def fetch_tarball(spec: str, dest: pathlib.Path) -> pathlib.Path:
    if npm:
        out = subprocess.run(
            [npm, "pack", "--silent", "--pack-destination", str(dest), spec],
            cwd=dest, check=True, capture_output=True, text=True,
        ).stdout.split()
        return dest / out[-1]
    return fetch_tarball_python(spec, dest)


# Files a SolaraViz page asks for (verified with headless Chromium: a Mesa 3.5.1
# SolaraViz page with matplotlib and altair components requests nothing else from the CDN).
widgets_major = version("ipywidgets").split(".")[0]
must = [
    "requirejs@2.3.6/require.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/vue-grid-layout.umd.js",
    "vega@5/build/vega.min.js",
    "vega-lite@5/build/vega-lite.min.js",
    "vega-embed@6/build/vega-embed.min.js",
]
for spec in found:
    if "vuetify" in spec:
        must += [
            f"{spec}/dist/main{widgets_major}.css",
            f"{spec}/dist/fonts.css",
            f"{spec}/dist/solara-vuetify-app{widgets_major}.min.js",
        ]


def complete(directory: str) -> bool:
    """Unpacked, and holding the files named in `must` (else it is fetched again)."""
    if not (cache / directory / "package.json").is_file():
        return False
    return all((cache / m).is_file() for m in must if m.startswith(directory + "/"))


cache.mkdir(parents=True, exist_ok=True)
t0 = time.monotonic()
added = []
for directory, spec in pairs:
    target = cache / directory
    if complete(directory):
        continue
    with tempfile.TemporaryDirectory(dir=cache, prefix=".tmp-") as tmp:
        tmpdir = pathlib.Path(tmp)
        tgz = fetch_tarball(spec, tmpdir)
        unpack = tmpdir / "unpacked"
        with tarfile.open(tgz) as tf:
            tf.extractall(unpack, filter="data")
        roots = [p for p in unpack.iterdir() if p.is_dir()]
        if len(roots) != 1:
            raise SystemExit(f"solara_assets: unexpected layout in the tarball of {spec}")
        # Source maps are only fetched by an open devtools panel: drop them (about 70 MB).
        for sourcemap in roots[0].rglob("*.map"):
            sourcemap.unlink()
        # Move into place only when complete (package.json marks a finished directory).
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        roots[0].rename(target)
    added.append(directory)
    print(f"solara_assets: cached {directory}", file=sys.stderr)

missing = [m for m in must if not (cache / m).is_file()]
if missing:
    raise SystemExit(f"solara_assets: cache incomplete, missing {missing}")

dist = f"solara-{version('solara')}.dist-info"
size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
# Stamp for the shell's fast path: same `cksum` of the asset list as the shell computes.
checksum = subprocess.run(
    ["cksum"], input=os.environ["SOLARA_EXTRA_ASSETS"], capture_output=True, text=True,
    check=True,
).stdout.split()[0]
(cache / ".offline-assets-complete").write_text(f"{dist} {checksum}")
if added:
    print(
        f"solara_assets: {len(added)} package(s) in {time.monotonic() - t0:.1f} s; "
        f"cache {cache} holds {size / 1e6:.1f} MB",
        file=sys.stderr,
    )
PY
