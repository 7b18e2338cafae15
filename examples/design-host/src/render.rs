//! Renders a [`Document`] to a PNG with tiny-skia.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, PixmapPaint, Transform};

use crate::document::{Color, Document, Geometry, LayerKind, Shape};

/// Draws the visible layers bottom to top over a white background.
pub fn render(doc: &Document) -> Result<Pixmap> {
    let mut canvas = Pixmap::new(doc.width, doc.height).ok_or_else(|| anyhow!("empty canvas"))?;
    canvas.fill(tiny_skia::Color::WHITE);
    for layer in doc.layers.iter().filter(|l| l.visible) {
        match &layer.kind {
            LayerKind::Raster {
                width,
                height,
                rgba,
            } => {
                let Some(mut pixmap) = Pixmap::new(*width, *height) else {
                    continue;
                };
                for (dst, src) in pixmap.pixels_mut().iter_mut().zip(rgba.chunks_exact(4)) {
                    *dst =
                        tiny_skia::ColorU8::from_rgba(src[0], src[1], src[2], src[3]).premultiply();
                }
                canvas.draw_pixmap(
                    0,
                    0,
                    pixmap.as_ref(),
                    &PixmapPaint::default(),
                    Transform::identity(),
                    None,
                );
            }
            LayerKind::Vector { shapes } => {
                for (_, shape) in shapes.iter().filter(|(_, s)| !s.flags.hidden) {
                    draw_shape(&mut canvas, shape);
                }
            }
        }
    }
    Ok(canvas)
}

/// Renders `doc` and writes it to `path` as PNG.
pub fn write_png(doc: &Document, path: &Path) -> Result<()> {
    render(doc)?
        .save_png(path)
        .with_context(|| format!("writing {}", path.display()))
}

fn paint(c: Color) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(c.r, c.g, c.b, c.a);
    paint.anti_alias = true;
    paint
}

fn draw_shape(canvas: &mut Pixmap, shape: &Shape) {
    let path = match &shape.geometry {
        Geometry::Rectangle(r) => {
            tiny_skia::Rect::from_xywh(r.x, r.y, r.width, r.height).map(PathBuilder::from_rect)
        }
        Geometry::Ellipse(r) => {
            tiny_skia::Rect::from_xywh(r.x, r.y, r.width, r.height).and_then(PathBuilder::from_oval)
        }
        Geometry::Path(points) => {
            let mut pb = PathBuilder::new();
            for (i, p) in points.iter().enumerate() {
                if i == 0 {
                    pb.move_to(p.x, p.y)
                } else {
                    pb.line_to(p.x, p.y)
                }
            }
            if shape.flags.closed {
                pb.close();
            }
            pb.finish()
        }
    };
    let Some(path) = path else { return };
    if let Some(fill) = shape.fill {
        canvas.fill_path(
            &path,
            &paint(fill),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
    if let Some(stroke) = shape.stroke {
        let style = tiny_skia::Stroke {
            width: stroke.width,
            ..Default::default()
        };
        canvas.stroke_path(
            &path,
            &paint(stroke.color),
            &style,
            Transform::identity(),
            None,
        );
    }
}
