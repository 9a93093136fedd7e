"""Offline country outlines and a light-grey basemap for lon/lat plots.

Why: maps of study regions (West/Central Africa, South America, Europe) must render on
offline machines and give identical output every time, so we never download map data at
run time. The outlines come from Natural Earth 1:110m (public domain), converted once by
``scripts/build_coastlines.py`` into ``cocair_sim/data/naturalearth_110m_countries.json``.
Only numpy, matplotlib and the standard library are used (no cartopy/geopandas).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from importlib.resources import files

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection

DATA_FILE = "naturalearth_110m_countries.json"
WORLD_BBOX = (-180.0, 180.0, -90.0, 90.0)

BBox = tuple[float, float, float, float]  # (lon_min, lon_max, lat_min, lat_max)


@dataclass(frozen=True)
class Country:
    """One country: name, ISO-3 code and exterior rings as read-only (N, 2) lon/lat arrays.

    Rings are closed (first point == last point). Holes are not stored (see the build
    script); equality and hashing use name and iso3 only, since arrays are not hashable.
    """

    name: str
    iso3: str
    rings: tuple[np.ndarray, ...] = field(compare=False, repr=False)


@functools.lru_cache(maxsize=1)
def _load() -> tuple[Country, ...]:
    # Parsed once per process; arrays are made read-only because the cache is shared.
    path = files(__package__) / "data" / DATA_FILE
    doc = json.loads(path.read_text(encoding="utf-8"))
    countries = []
    for c in doc["countries"]:
        rings = []
        for ring in c["rings"]:
            arr = np.asarray(ring, dtype=float)
            arr.flags.writeable = False
            rings.append(arr)
        countries.append(Country(c["name"], c["iso3"], tuple(rings)))
    return tuple(countries)


def load_countries() -> list[Country]:
    """Return all countries (Natural Earth 1:110m), read from the packaged file.

    The file is parsed once and cached; each call returns a fresh list so callers may
    filter or sort it without affecting later calls.
    """
    return list(_load())


def bbox_for(points, pad_deg: float = 5.0) -> BBox:
    """Return (lon_min, lon_max, lat_min, lat_max) covering ``points`` plus ``pad_deg``.

    ``points`` is anything array-like of shape (N, 2) in lon/lat (a single (lon, lat) pair
    is accepted); NaN rows are ignored. The result is clipped to the globe. Boxes that
    cross the antimeridian are not supported (longitudes are not wrapped).
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if pts.size == 0:
        raise ValueError("bbox_for needs at least one finite (lon, lat) point")
    if pad_deg < 0:
        raise ValueError("pad_deg must be >= 0")
    lon_min, lat_min = pts.min(axis=0) - pad_deg
    lon_max, lat_max = pts.max(axis=0) + pad_deg
    return (
        float(max(lon_min, -180.0)),
        float(min(lon_max, 180.0)),
        float(max(lat_min, -90.0)),
        float(min(lat_max, 90.0)),
    )


def draw_basemap(
    ax,
    bbox: BBox | None = None,
    land_color: str = "0.88",
    edge_color: str = "0.6",
    linewidth: float = 0.4,
) -> tuple[PolyCollection, LineCollection]:
    """Draw land and country borders on ``ax`` in plain lon/lat (equirectangular).

    Land is filled with ``land_color`` and borders/coastlines drawn with ``edge_color``;
    the defaults are light greys that stay distinguishable from a white sea and from
    data when printed in greyscale. Both layers sit below normal plot elements (low
    zorder), so data can be drawn before or after. ``bbox`` = (lon_min, lon_max, lat_min,
    lat_max) sets the limits (default: whole world). The aspect is 1/cos(mid-latitude)
    so that shapes are not squashed east-west at that latitude. Returns the
    (land, borders) collections for further styling.
    """
    lon_min, lon_max, lat_min, lat_max = WORLD_BBOX if bbox is None else bbox
    if not (lon_min < lon_max and lat_min < lat_max):
        raise ValueError(f"invalid bbox {bbox!r}: expected (lon_min, lon_max, lat_min, lat_max)")

    # Skip rings entirely outside the box: fewer paths for matplotlib to clip.
    rings = [
        r
        for c in _load()
        for r in c.rings
        if r[:, 0].max() >= lon_min
        and r[:, 0].min() <= lon_max
        and r[:, 1].max() >= lat_min
        and r[:, 1].min() <= lat_max
    ]
    # Fill without edges, then borders as separate lines on top, so neighbouring fills
    # cannot half-cover a shared border.
    land = PolyCollection(rings, facecolors=land_color, edgecolors="none", zorder=0.1)
    borders = LineCollection(rings, colors=edge_color, linewidths=linewidth, zorder=0.2)
    ax.add_collection(land, autolim=False)
    ax.add_collection(borders, autolim=False)

    ax.set_xlim(lon_min, lon_max)
    ax.set_ylim(lat_min, lat_max)
    # Clamp near the poles where 1/cos blows up.
    mid_lat = math.radians(0.5 * (lat_min + lat_max))
    ax.set_aspect(1.0 / max(math.cos(mid_lat), 0.1), adjustable="box")
    return land, borders
