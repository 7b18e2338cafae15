//! Hostile test guest for `airlock:design/tool@0.1.0`: the floods of
//! `test-hostile-design` through the 0.1.0 document imports (layers by id),
//! which the design host serves through its adapter. With no `attack`
//! parameter it does nothing.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design-0.1"], world: "airlock:design/tool" });

use airlock::design::document::{self, Geometry, LayerKind, Shape, ShapeFlags};
use airlock::design::types::{ParamValue, Point, Rect};

struct HostileDesign;

fn rect() -> Shape {
    let rect = Rect { x: 1.0, y: 1.0, width: 2.0, height: 2.0 };
    Shape { geometry: Geometry::Rectangle(rect), fill: None, stroke: None, flags: ShapeFlags::CLOSED }
}

/// What the host answers to one more change, to a layer the document had, after the flood.
fn probe() -> String {
    let Some(layer) = document::list_layers().into_iter().find(|l| l.kind == LayerKind::Vector) else {
        return "no vector layer to probe".into();
    };
    match document::add_shape(layer.id, &rect()) {
        Ok(id) => format!("then a probe shape was added as {id}"),
        Err(e) => format!("then a probe shape was refused: {e:?}"),
    }
}

fn flood(count: u64, mut add: impl FnMut() -> Result<u64, document::DocumentError>) -> String {
    for n in 0..count {
        if let Err(e) = add() {
            return format!("added {n}, then {e:?}");
        }
    }
    format!("added {count}")
}

fn attack(name: &str, count: u64) -> String {
    match name {
        "long-name" => {
            let layer = document::add_layer(&"n".repeat(count as usize), LayerKind::Vector);
            let named = document::list_layers().iter().find(|l| l.id == layer).map_or(0, |l| l.name.len());
            format!("a layer with a name of {named} bytes; {}", probe())
        }
        "layers" | "raster-layers" => {
            let kind = if name == "layers" { LayerKind::Vector } else { LayerKind::Raster };
            for _ in 0..count {
                document::add_layer("l", kind);
            }
            format!("{} layers in the document; {}", document::list_layers().len(), probe())
        }
        "shapes" => {
            let layer = document::add_layer("shapes", LayerKind::Vector);
            flood(count, || document::add_shape(layer, &rect()))
        }
        "path" => {
            let layer = document::add_layer("path", LayerKind::Vector);
            let points = vec![Point { x: 1.0, y: 2.0 }; count as usize];
            let path = Shape {
                geometry: Geometry::Path(points),
                fill: None,
                stroke: None,
                flags: ShapeFlags::empty(),
            };
            match document::add_shape(layer, &path) {
                Ok(id) => format!("a path of {count} points added as {id}"),
                Err(e) => format!("a path of {count} points refused: {e:?}"),
            }
        }
        "updates" => {
            let layer = document::add_layer("updates", LayerKind::Vector);
            let Ok(id) = document::add_shape(layer, &rect()) else { return "no shape to update".into() };
            flood(count, || document::update_shape(layer, id, &rect()).map(|()| id))
        }
        "reads" => {
            let mut read = 0u64;
            for _ in 0..count {
                read += u64::from(document::canvas_size().0);
                for layer in document::list_layers() {
                    read += layer.name.len() as u64;
                    read += document::list_shapes(layer.id).map_or(0, |s| s.len() as u64);
                    read += document::read_raster(layer.id).map_or(0, |i| i.pixels.len() as u64);
                }
                read += document::selection().len() as u64;
                read += u64::from(document::selection_bounds().is_some());
            }
            format!("read {read} units in {count} rounds")
        }
        other => format!("no attack {other:?}"),
    }
}

impl Guest for HostileDesign {
    fn run(params: Vec<Param>) -> Result<String, ToolError> {
        let (mut name, mut count) = (None, 1u64);
        for p in params {
            match (p.name.as_str(), p.value) {
                ("attack", ParamValue::Text(a)) => name = Some(a),
                ("count", ParamValue::Integer(n)) => count = n.max(0) as u64,
                (other, _) => return Err(ToolError::InvalidParam(other.into())),
            }
        }
        Ok(match name {
            Some(name) => attack(&name, count),
            None => "no attack asked for".into(),
        })
    }
}

export!(HostileDesign);
