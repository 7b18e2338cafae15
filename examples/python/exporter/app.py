"""JSON export: an `airlock:design/exporter` plugin in Python.

Serialises the document's canvas, layers and vector shapes as JSON; `save`
writes it into the folder the host granted at `/out`.
"""

import json
import logging
from typing import Any, Dict

import airlock_guest
import wit_world
from componentize_py_types import Err
from wit_world.imports import document
from wit_world.imports.document import Geometry_Ellipse, Geometry_Path, Geometry_Rectangle

airlock_guest.install_logging()
log = logging.getLogger("json-export")


def _color(c: Any) -> Any:
    return None if c is None else [c.r, c.g, c.b, c.a]


def _shape(shape_id: int, shape: document.Shape) -> Dict[str, Any]:
    g = shape.geometry
    if isinstance(g, (Geometry_Rectangle, Geometry_Ellipse)):
        kind = "rectangle" if isinstance(g, Geometry_Rectangle) else "ellipse"
        geometry: Dict[str, Any] = {
            "kind": kind,
            "x": g.value.x,
            "y": g.value.y,
            "width": g.value.width,
            "height": g.value.height,
        }
    elif isinstance(g, Geometry_Path):
        geometry = {"kind": "path", "points": [[p.x, p.y] for p in g.value]}
    else:
        raise TypeError(f"unknown geometry {g!r}")
    stroke = shape.stroke
    return {
        "id": shape_id,
        "geometry": geometry,
        "fill": _color(shape.fill),
        "stroke": None if stroke is None else {"color": _color(stroke.color), "width": stroke.width},
        "hidden": bool(shape.flags & document.ShapeFlags.HIDDEN),
    }


class WitWorld(wit_world.WitWorld):
    def describe(self) -> wit_world.ExportInfo:
        return wit_world.ExportInfo(format="JSON", extension="json", mime_type="application/json")

    def render(self) -> bytes:
        width, height = document.canvas_size()
        layers = []
        for layer in document.layers():
            with layer:  # the handle goes back to the host at the end of the block
                info = layer.info()
                entry: Dict[str, Any] = {
                    "id": info.id,
                    "name": info.name,
                    "kind": info.kind.name.lower(),
                    "visible": info.visible,
                    "size": list(info.size),
                }
                if info.kind == document.LayerKind.VECTOR:
                    try:
                        shapes = layer.shapes()
                    except Err as e:
                        raise Err(f"layer {info.id}: {e.value}")
                    entry["shapes"] = [_shape(i, s) for i, s in shapes]
                layers.append(entry)
        text = json.dumps({"canvas": [width, height], "layers": layers}, indent=2) + "\n"
        log.debug("%d layers, %d bytes", len(layers), len(text))
        return text.encode()

    def save(self, file_name: str) -> int:
        data = self.render()
        # The only folder this plugin can see is the one granted at `/out`;
        # the sandbox, not this code, keeps `..` and absolute names inside it.
        path = f"/out/{file_name}"
        try:
            with open(path, "wb") as f:
                f.write(data)
        except OSError as e:
            raise Err(f"cannot write {path}: {e}")
        return len(data)
