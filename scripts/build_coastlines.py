"""Build ``cocair_sim/data/naturalearth_110m_countries.json`` (offline country outlines).

Why this exists
---------------
Maps in cocair-sim must never download anything at run time (cluster nodes and CI are
offline, and silent downloads make results irreproducible). So we convert a public
country-outline data set *once*, with this script, into a small JSON file that is shipped
inside the package and read by :mod:`cocair_sim.geo`.

Data source and licence
-----------------------
Natural Earth, 1:110m Cultural Vectors, "Admin 0 - Countries", version 5.1.1
(https://www.naturalearthdata.com/). Natural Earth is in the **public domain**
(https://www.naturalearthdata.com/about/terms-of-use/): no permission or attribution is
required, though we credit it anyway.

We take the copy bundled in the geopandas 0.14.4 wheel on PyPI
(``geopandas/datasets/naturalearth_lowres/``) because PyPI is the only network resource
we rely on. Note the geopandas packaging differs from the raw Natural Earth file in two
documented ways (see ``geopandas/datasets/naturalearth_creation.py`` in that wheel):
countries whose ISO_A3 is "-99" get their ADM0_A3 code instead, and Crimea is assigned to
Ukraine. We additionally replace Kosovo's remaining "-99" with the user-assigned code
"XKX" (used by the EU and IMF).

What the conversion does
------------------------
* keeps, per country: name, ISO-3 code and the exterior rings (closed lon/lat polygons);
* rounds coordinates to 2 decimals (~1 km, far finer than the 1:110m generalisation)
  and drops consecutive duplicate points created by the rounding;
* drops interior rings (holes). In this data set the only hole is Lesotho inside South
  Africa, and Lesotho is its own entry, so nothing is lost when drawing maps. (It does
  mean a point-in-South-Africa test would also accept Lesotho.)

How to rerun
------------
Needs pyshp (``pip install pyshp``) and network access to PyPI (build time only)::

    python scripts/build_coastlines.py               # downloads the wheel with pip
    python scripts/build_coastlines.py --wheel PATH  # or use an already downloaded wheel

The wheel's SHA-256 is checked so the output is reproducible.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import shapefile  # pyshp; build-time only, not a run-time dependency of cocair_sim

GEOPANDAS_VERSION = "0.14.4"
WHEEL_NAME = f"geopandas-{GEOPANDAS_VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "3bb6473cb59d51e1a7fe2dbc24a1a063fb0ebdeddf3ce08ddbf8c7ddc99689aa"
MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
ISO3_FIXES = {"Kosovo": "XKX"}
DECIMALS = 2

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "cocair_sim" / "data" / "naturalearth_110m_countries.json"


def download_wheel(dest: Path) -> Path:
    """Fetch the pinned geopandas wheel from PyPI with pip (no dependencies, no install)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            f"geopandas=={GEOPANDAS_VERSION}",
            "-d",
            str(dest),
        ],
        check=True,
    )
    return dest / WHEEL_NAME


def signed_area(ring: list[tuple[float, float]]) -> float:
    """Shoelace area; shapefiles store exterior rings clockwise (negative area)."""
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))


def clean_ring(points: list[tuple[float, float]]) -> list[list[float]] | None:
    """Round, drop consecutive duplicates, keep the ring closed; None if degenerate."""
    ring: list[list[float]] = []
    for x, y in points:
        p = [round(x, DECIMALS), round(y, DECIMALS)]
        if not ring or p != ring[-1]:
            ring.append(p)
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    if len(ring) < 4:  # a closed triangle needs 4 points
        return None
    return ring


def convert(wheel: Path) -> dict:
    """Read the shapefile out of the wheel (in memory) and return the JSON document."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"unexpected SHA-256 for {wheel}: {digest}")
    with zipfile.ZipFile(wheel) as zf:
        parts = {ext: io.BytesIO(zf.read(f"{MEMBER}.{ext}")) for ext in ("shp", "shx", "dbf")}
    reader = shapefile.Reader(**parts, encoding="latin-1")  # .cpg says ISO-8859-1

    countries = []
    for sr in reader.iterShapeRecords():
        name = sr.record["name"]
        shape = sr.shape
        bounds = [*shape.parts, len(shape.points)]
        rings = []
        for start, stop in itertools.pairwise(bounds):
            raw = [(float(x), float(y)) for x, y in shape.points[start:stop]]
            if signed_area(raw) > 0:  # counter-clockwise = hole
                continue
            ring = clean_ring(raw)
            if ring is not None:
                rings.append(ring)
        countries.append(
            {"name": name, "iso3": ISO3_FIXES.get(name, sr.record["iso_a3"]), "rings": rings}
        )
    countries.sort(key=lambda c: c["name"])
    return {
        "source": "Natural Earth 1:110m Admin 0 Countries v5.1.1, via geopandas "
        f"{GEOPANDAS_VERSION} naturalearth_lowres (https://www.naturalearthdata.com/)",
        "licence": "public domain",
        "built_by": "scripts/build_coastlines.py",
        "coordinates": f"lon/lat degrees (WGS84), rounded to {DECIMALS} decimals; "
        "exterior rings only, closed",
        "countries": countries,
    }


def write_json(doc: dict, out: Path) -> None:
    """Write compact JSON, one country per line so diffs stay readable."""
    head = {k: v for k, v in doc.items() if k != "countries"}
    lines = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in doc["countries"]]
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]  # drop closing "\n}"
    text += ',\n "countries": [\n' + ",\n".join(lines) + "\n ]\n}\n"
    json.loads(text)  # sanity check: still valid JSON
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"use an existing {WHEEL_NAME}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        doc = convert(wheel)
    write_json(doc, args.out)
    n_pts = sum(len(r) for c in doc["countries"] for r in c["rings"])
    size = args.out.stat().st_size
    print(f"wrote {args.out}: {len(doc['countries'])} countries, {n_pts} points, {size} bytes")


if __name__ == "__main__":
    main()
