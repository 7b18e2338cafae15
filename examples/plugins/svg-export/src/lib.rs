//! Exporter plugin: serialises the document's visible layers and shapes as SVG.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design"], world: "airlock:design/exporter" });

use std::fmt::Write;

use airlock::design::document::{self, Geometry, LayerKind, Shape, ShapeFlags};
use airlock::design::types::Color;

struct SvgExport;

impl Guest for SvgExport {
    fn describe() -> ExportInfo {
        ExportInfo { format: "SVG".into(), extension: "svg".into(), mime_type: "image/svg+xml".into() }
    }

    fn render() -> Result<Vec<u8>, String> {
        let (w, h) = document::canvas_size();
        let mut out = String::new();
        let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
        );
        let mut shapes = 0;
        for layer in document::layers() {
            let info = layer.info();
            if !info.visible {
                continue;
            }
            let name = escape(&info.name);
            match info.kind {
                LayerKind::Raster => {
                    let (lw, lh) = info.size;
                    let _ = writeln!(
                        out,
                        "  <!-- raster layer {} \"{name}\" ({lw}×{lh}) not embedded -->",
                        info.id
                    );
                }
                LayerKind::Vector => {
                    let list = layer.shapes().map_err(|e| format!("layer {}: {e:?}", info.id))?;
                    let _ = writeln!(out, r#"  <g id="layer-{}" data-name="{name}">"#, info.id);
                    for (id, shape) in list {
                        if shape.flags.contains(ShapeFlags::HIDDEN) {
                            continue;
                        }
                        let _ = writeln!(out, "    {}", element(id, &shape));
                        shapes += 1;
                    }
                    let _ = writeln!(out, "  </g>");
                }
            }
        }
        out.push_str("</svg>\n");
        airlock_guest::debug!("svg-export: {shapes} shapes, {} bytes", out.len());
        Ok(out.into_bytes())
    }

    fn save(file_name: String) -> Result<u64, String> {
        let svg = Self::render()?;
        // The only folder this plugin can see is the one granted at `/out`;
        // the sandbox, not this code, keeps `..` and absolute names inside it.
        let path = format!("/out/{file_name}");
        std::fs::write(&path, &svg).map_err(|e| format!("cannot write {path}: {e}"))?;
        Ok(svg.len() as u64)
    }
}

fn element(id: u64, shape: &Shape) -> String {
    let paint = paint(shape);
    match &shape.geometry {
        Geometry::Rectangle(r) => format!(
            r#"<rect id="shape-{id}" x="{}" y="{}" width="{}" height="{}"{paint}/>"#,
            r.x, r.y, r.width, r.height
        ),
        Geometry::Ellipse(r) => format!(
            r#"<ellipse id="shape-{id}" cx="{}" cy="{}" rx="{}" ry="{}"{paint}/>"#,
            r.x + r.width / 2.0,
            r.y + r.height / 2.0,
            r.width / 2.0,
            r.height / 2.0
        ),
        Geometry::Path(points) => {
            let tag = if shape.flags.contains(ShapeFlags::CLOSED) { "polygon" } else { "polyline" };
            let pts: Vec<String> = points.iter().map(|p| format!("{},{}", p.x, p.y)).collect();
            format!(r#"<{tag} id="shape-{id}" points="{}"{paint}/>"#, pts.join(" "))
        }
    }
}

fn paint(shape: &Shape) -> String {
    let mut s = String::new();
    match shape.fill {
        Some(c) => {
            let _ = write!(s, r#" fill="{}""#, rgb(c));
            if c.a != 255 {
                let _ = write!(s, r#" fill-opacity="{}""#, alpha(c));
            }
        }
        None => s.push_str(r#" fill="none""#),
    }
    if let Some(stroke) = shape.stroke {
        let _ = write!(s, r#" stroke="{}" stroke-width="{}""#, rgb(stroke.color), stroke.width);
        if stroke.color.a != 255 {
            let _ = write!(s, r#" stroke-opacity="{}""#, alpha(stroke.color));
        }
    }
    s
}

fn rgb(c: Color) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

fn alpha(c: Color) -> String {
    format!("{:.3}", c.a as f32 / 255.0)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

export!(SvgExport);
