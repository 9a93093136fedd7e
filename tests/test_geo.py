"""Tests for cocair_sim.geo: packaged Natural Earth outlines and the offline basemap."""

from __future__ import annotations

import ast
import socket
from importlib.resources import files
from pathlib import Path

import matplotlib.image as mimage
import numpy as np
import pytest
from matplotlib.figure import Figure  # Agg canvas, no pyplot/global backend state
from matplotlib.path import Path as MplPath

from cocair_sim import geo

# Rough bounding boxes (lon_min, lon_max, lat_min, lat_max) from any atlas, with ~0.5 deg
# slack; Portugal in Natural Earth 1:110m is mainland only.
ROUGH_BBOX = {
    "SEN": (-18.0, -11.0, 12.0, 17.0),
    "BRA": (-74.5, -34.0, -34.5, 5.8),
    "PRT": (-10.0, -6.0, 36.5, 42.5),
    "MLI": (-12.5, 4.5, 10.0, 25.5),
}
# (lon, lat) of cities that must lie in (or, for coastal ones, within 0.5 deg of) a country
CITIES = {
    "SEN": (-17.49, 14.74),  # Dakar, at the tip of the Cap-Vert peninsula
    "BRA": (-47.88, -15.79),  # Brasília
    "PRT": (-9.14, 38.72),  # Lisbon
    "MLI": (-8.00, 12.65),  # Bamako
}


WORLD = (-180.0, 180.0, -90.0, 90.0)


def by_iso(iso3: str) -> geo.Country:
    matches = [c for c in geo.load_countries() if c.iso3 == iso3]
    assert len(matches) == 1, iso3
    return matches[0]


def distance_to_country(country: geo.Country, lon: float, lat: float) -> float:
    """0 if inside any ring, else the distance (degrees) to the nearest ring edge."""
    p = np.array([lon, lat])
    best = np.inf
    for ring in country.rings:
        if MplPath(ring).contains_point(p):
            return 0.0
        a, b = ring[:-1], ring[1:]
        ab = b - a
        t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.einsum("ij,ij->i", ab, ab), 0, 1)
        best = min(best, float(np.min(np.hypot(*(a + t[:, None] * ab - p).T))))
    return best


@pytest.fixture
def no_network(monkeypatch):
    """Make any attempt to open a network connection fail loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_data_file_is_packaged_and_small():
    path = files("cocair_sim") / "data" / geo.DATA_FILE
    assert path.is_file()
    assert len(path.read_bytes()) < 500_000


def test_countries_have_names_iso_codes_and_valid_rings():
    countries = geo.load_countries()
    assert len(countries) > 170
    iso = [c.iso3 for c in countries]
    assert len(set(iso)) == len(iso)
    assert all(len(code) == 3 and code.isalpha() and code.isupper() for code in iso)
    names = {c.name for c in countries}
    assert {"Senegal", "Brazil", "Portugal", "Côte d'Ivoire", "Colombia", "Spain"} <= names
    for c in countries:
        assert c.rings, c.name
        for ring in c.rings:
            assert ring.ndim == 2 and ring.shape[1] == 2 and len(ring) >= 4
            np.testing.assert_array_equal(ring[0], ring[-1])  # closed
            assert np.all(np.abs(ring[:, 0]) <= 180) and np.all(np.abs(ring[:, 1]) <= 90)


@pytest.mark.parametrize("iso3", sorted(ROUGH_BBOX))
def test_rings_lie_in_known_bounding_box(iso3):
    lon_min, lon_max, lat_min, lat_max = ROUGH_BBOX[iso3]
    pts = np.vstack(by_iso(iso3).rings)
    assert pts[:, 0].min() >= lon_min and pts[:, 0].max() <= lon_max
    assert pts[:, 1].min() >= lat_min and pts[:, 1].max() <= lat_max
    # and the outline actually spans most of that box (not a tiny fragment)
    assert np.ptp(pts[:, 0]) > 0.6 * (lon_max - lon_min)
    assert np.ptp(pts[:, 1]) > 0.6 * (lat_max - lat_min)


@pytest.mark.parametrize("iso3", sorted(CITIES))
def test_city_is_in_or_next_to_its_country(iso3):
    lon, lat = CITIES[iso3]
    assert distance_to_country(by_iso(iso3), lon, lat) <= 0.5


def test_city_is_not_in_a_distant_country():
    dakar = CITIES["SEN"]
    assert distance_to_country(by_iso("BRA"), *dakar) > 20
    assert distance_to_country(by_iso("PRT"), *dakar) > 20


def test_load_is_cached_and_immutable():
    a, b = geo.load_countries(), geo.load_countries()
    assert a is not b  # callers get their own list ...
    assert all(x is y for x, y in zip(a, b, strict=True))  # ... of the same cached objects
    with pytest.raises(ValueError):
        a[0].rings[0][0, 0] = 0.0


def test_bbox_for_pads_and_clips():
    assert geo.bbox_for([(-17.5, 14.7), (-9.1, 38.7)], pad_deg=5) == (-22.5, -4.1, 9.7, 43.7)
    assert geo.bbox_for((10.0, 20.0), pad_deg=1) == (9.0, 11.0, 19.0, 21.0)
    assert geo.bbox_for([(179.0, 88.0), (-179.0, -88.0), (np.nan, 0.0)]) == WORLD
    with pytest.raises(ValueError):
        geo.bbox_for(np.empty((0, 2)))
    with pytest.raises(ValueError):
        geo.bbox_for([(0.0, 0.0)], pad_deg=-1)


def test_draw_basemap_offline_land_differs_from_sea(no_network, tmp_path: Path):
    geo._load.cache_clear()  # force the data file to be read with networking disabled
    fig = Figure(figsize=(6, 5), dpi=100)
    ax = fig.add_subplot()
    bbox = (-35.0, 30.0, -10.0, 30.0)  # West/Central Africa and the tropical Atlantic
    geo.draw_basemap(ax, bbox=bbox)
    assert ax.get_xlim() == (-35.0, 30.0) and ax.get_ylim() == (-10.0, 30.0)
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians(10.0)))
    out = tmp_path / "africa.png"
    fig.savefig(out, dpi=fig.dpi)  # same dpi, no tight bbox: display coords == PNG pixels
    img = mimage.imread(out)
    height = img.shape[0]

    def grey_at(lon, lat):
        x, y = ax.transData.transform((lon, lat))
        rgb = img[round(height - y), round(x), :3]
        return float(rgb.mean())

    mali, atlantic = grey_at(-2.0, 17.0), grey_at(-25.0, 5.0)
    assert atlantic > 0.99  # white axes background
    assert 0.7 < mali < 0.95  # light grey land, still distinct in greyscale
    assert atlantic - mali > 0.05


def test_draw_basemap_stays_below_data():
    fig = Figure()
    ax = fig.add_subplot()
    land, borders = geo.draw_basemap(ax)  # whole world: the most paths
    fig.canvas.draw()
    pts = ax.scatter([0.0], [0.0])
    assert land.get_zorder() < borders.get_zorder() < pts.get_zorder()
    assert ax.get_xlim() == (-180.0, 180.0)


def test_draw_basemap_rejects_bad_bbox():
    fig = Figure()
    ax = fig.add_subplot()
    with pytest.raises(ValueError):
        geo.draw_basemap(ax, bbox=(10.0, -10.0, 0.0, 5.0))


def test_geo_imports_only_numpy_matplotlib_stdlib():
    import sys

    tree = ast.parse(Path(geo.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    allowed = {"numpy", "matplotlib"} | set(sys.stdlib_module_names)
    assert roots <= allowed, roots - allowed
