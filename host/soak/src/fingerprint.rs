//! A document as bytes, every field of it (floats by their bits, the next
//! id included), so that "unchanged" means byte-equal, not merely `==`.

use airlock_example_design_host::document::{Document, Geometry, LayerKind, Rect, Shape};

pub fn document_bytes(doc: &Document) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    u(&mut out, doc.width.into());
    u(&mut out, doc.height.into());
    // The next id is private; a clone hands it out.
    u(&mut out, doc.clone().next_id());
    u(&mut out, doc.layers.len() as u64);
    for layer in &doc.layers {
        u(&mut out, layer.id);
        u(&mut out, layer.name.len() as u64);
        out.extend_from_slice(layer.name.as_bytes());
        out.push(layer.visible.into());
        match &layer.kind {
            LayerKind::Raster {
                width,
                height,
                rgba,
            } => {
                out.push(b'R');
                u(&mut out, (*width).into());
                u(&mut out, (*height).into());
                u(&mut out, rgba.len() as u64);
                out.extend_from_slice(rgba);
            }
            LayerKind::Vector { shapes } => {
                out.push(b'V');
                u(&mut out, shapes.len() as u64);
                for (id, shape) in shapes {
                    u(&mut out, *id);
                    shape_bytes(&mut out, shape);
                }
            }
        }
    }
    u(&mut out, doc.selection.layers.len() as u64);
    for id in &doc.selection.layers {
        u(&mut out, *id);
    }
    match &doc.selection.bounds {
        Some(r) => {
            out.push(1);
            rect_bytes(&mut out, r);
        }
        None => out.push(0),
    }
    out
}

fn u(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn f32_bytes(out: &mut Vec<u8>, v: f32) {
    out.extend_from_slice(&v.to_bits().to_le_bytes());
}

fn rect_bytes(out: &mut Vec<u8>, r: &Rect) {
    for v in [r.x, r.y, r.width, r.height] {
        f32_bytes(out, v);
    }
}

fn shape_bytes(out: &mut Vec<u8>, shape: &Shape) {
    match &shape.geometry {
        Geometry::Rectangle(r) => {
            out.push(b'r');
            rect_bytes(out, r);
        }
        Geometry::Ellipse(r) => {
            out.push(b'e');
            rect_bytes(out, r);
        }
        Geometry::Path(points) => {
            out.push(b'p');
            out.extend_from_slice(&(points.len() as u64).to_le_bytes());
            for p in points {
                f32_bytes(out, p.x);
                f32_bytes(out, p.y);
            }
        }
    }
    match shape.fill {
        Some(c) => out.extend_from_slice(&[1, c.r, c.g, c.b, c.a]),
        None => out.push(0),
    }
    match shape.stroke {
        Some(s) => {
            out.extend_from_slice(&[1, s.color.r, s.color.g, s.color.b, s.color.a]);
            f32_bytes(out, s.width);
        }
        None => out.push(0),
    }
    let f = shape.flags;
    out.extend_from_slice(&[f.hidden.into(), f.locked.into(), f.closed.into()]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_changes_the_bytes() {
        let doc = Document::sample();
        let bytes = document_bytes(&doc);
        assert_eq!(bytes, document_bytes(&doc.clone()));
        let mut pixel = doc.clone();
        if let LayerKind::Raster { rgba, .. } = &mut pixel.layers[0].kind {
            rgba[12345] ^= 1;
        }
        let mut id = doc.clone();
        id.next_id();
        let mut flag = doc.clone();
        if let LayerKind::Vector { shapes } = &mut flag.layers[1].kind {
            shapes[0].1.flags.locked = true;
        }
        for changed in [pixel, id, flag] {
            assert_ne!(document_bytes(&changed), bytes);
        }
    }
}
