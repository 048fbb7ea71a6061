"""Plain factories: small boundary files written to a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely
from pyogrio.raw import write

# Far out in the Indian Ocean, more than the nearest-match distance from any real
# jurisdiction, so these tests never meet the national data other tests load.
LON0, LAT0 = 80.0, -20.0


def square(x: float, y: float, size: float = 0.01) -> list:
    """A closed lon/lat ring of a square whose south-west corner is at (LON0 + x, LAT0 + y)."""
    lon, lat = LON0 + x, LAT0 + y
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def write_geojson(path: Path, features: list[tuple[dict, list]]) -> Path:
    """A GeoJSON FeatureCollection of (properties, ring) polygons."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": None if ring is None else {"type": "Polygon", "coordinates": [ring]},
            }
            for props, ring in features
        ],
    }
    path.write_text(json.dumps(collection))
    return path


def kemendagri_features() -> list[tuple[dict, list]]:
    """Two kab/kota with two kecamatan each (Kemendagri-style fields), a 2x2 grid."""
    features = []
    for kab, dx in (("99.01", 0.0), ("99.02", 0.01)):
        for n, dy in ((1, 0.0), (2, 0.01)):
            props = {
                "kode_prov": "99",
                "nama_prov": "Provinsi Uji",
                "kode_kab": kab,
                "nama_kab": f"Kab Uji {kab}",
                "kode_kec": f"{kab}.0{n}",
                "nama_kec": f"Kec Uji {kab}.0{n}",
            }
            features.append((props, square(dx, dy)))
    return features


def write_layer(path: Path, *, driver: str, crs: str, fields: dict[str, list], geoms: list) -> Path:
    """A GeoPackage or Shapefile layer with the given attribute columns."""
    names = list(fields)
    write(
        path,
        geometry=np.array([shapely.to_wkb(g) for g in geoms], dtype=object),
        field_data=[np.array(fields[name], dtype=object) for name in names],
        fields=names,
        crs=crs,
        driver=driver,
        geometry_type="MultiPolygon",
    )
    return path
