//! Tool plugin: fills the selection bounds with a `rows` × `cols` grid of rectangles,
//! built for `airlock:design/tool@0.1.0` (layers as ids, not handles).
//!
//! The `grid` plugin as it was before design 0.2.0, kept so the design host
//! shows it still serves 0.1.0 plugins: both change a document the same way.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design-0.1"], world: "airlock:design/tool" });

use airlock::design::document::{self, Geometry, LayerKind, Shape, ShapeFlags, Stroke};
use airlock::design::types::{Color, ParamValue, Rect};

struct Grid;

impl Guest for Grid {
    fn run(params: Vec<Param>) -> Result<String, ToolError> {
        let (mut rows, mut cols, mut gap) = (4i64, 4i64, 4.0f64);
        let mut color = Color { r: 40, g: 110, b: 230, a: 200 };
        for p in params {
            match (p.name.as_str(), p.value) {
                ("rows", ParamValue::Integer(v)) if (1..=256).contains(&v) => rows = v,
                ("cols", ParamValue::Integer(v)) if (1..=256).contains(&v) => cols = v,
                ("gap", ParamValue::Number(v)) if v.is_finite() && v >= 0.0 => gap = v,
                ("color", ParamValue::Color(c)) => color = c,
                (name, _) => {
                    return Err(ToolError::InvalidParam(format!(
                        "`{name}`: expected rows/cols (integer 1..=256), gap (number >= 0) or color"
                    )));
                }
            }
        }

        let selection = document::selection();
        let Some(bounds) = document::selection_bounds().filter(|_| !selection.is_empty()) else {
            return Err(ToolError::NothingSelected);
        };

        let layers = document::list_layers();
        let target = selection
            .iter()
            .copied()
            .find(|id| layers.iter().any(|l| l.id == *id && l.kind == LayerKind::Vector))
            .unwrap_or_else(|| document::add_layer("Grid", LayerKind::Vector));

        let gap = gap as f32;
        let cell_w = (bounds.width - gap * (cols as f32 - 1.0)) / cols as f32;
        let cell_h = (bounds.height - gap * (rows as f32 - 1.0)) / rows as f32;
        if cell_w <= 0.0 || cell_h <= 0.0 {
            return Err(ToolError::InvalidParam(format!(
                "a {rows}×{cols} grid with gap {gap} does not fit in {}×{}",
                bounds.width, bounds.height
            )));
        }
        let stroke = Stroke { color: Color { r: 20, g: 30, b: 60, a: 255 }, width: 1.5 };
        let mut added = 0;
        for row in 0..rows {
            for col in 0..cols {
                let rect = Rect {
                    x: bounds.x + col as f32 * (cell_w + gap),
                    y: bounds.y + row as f32 * (cell_h + gap),
                    width: cell_w,
                    height: cell_h,
                };
                let shape = Shape {
                    geometry: Geometry::Rectangle(rect),
                    fill: Some(color),
                    stroke: Some(stroke),
                    flags: ShapeFlags::CLOSED,
                };
                document::add_shape(target, &shape).map_err(ToolError::Document)?;
                added += 1;
            }
        }
        airlock_guest::info!("grid-v0-1: added {added} shapes to layer {target}");
        Ok(format!("added {added} shapes to layer {target}"))
    }
}

export!(Grid);
