//! Exporter plugin built for `airlock:design/exporter@0.1.0`: the document's
//! layers as text, one line each, with a vector layer's shape count and a
//! raster layer's mean colour.
//!
//! It reads the document only through 0.1.0's calls that take layer ids
//! (`list-layers`, `list-shapes(layer)`, `read-raster(layer)`), which the
//! design host answers from its 0.2.0 document.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design-0.1"], world: "airlock:design/exporter" });

use airlock::design::document::{self, LayerKind};

struct Layers;

impl Guest for Layers {
    fn describe() -> ExportInfo {
        ExportInfo { format: "layer list".into(), extension: "txt".into(), mime_type: "text/plain".into() }
    }

    fn render() -> Result<Vec<u8>, String> {
        let (width, height) = document::canvas_size();
        let mut out = format!("canvas {width}x{height}\n");
        for layer in document::list_layers() {
            let what = match layer.kind {
                LayerKind::Vector => {
                    let shapes = document::list_shapes(layer.id).map_err(|e| format!("{e:?}"))?;
                    format!("vector, {} shapes", shapes.len())
                }
                LayerKind::Raster => {
                    let image = document::read_raster(layer.id).map_err(|e| format!("{e:?}"))?;
                    let mut sum = [0u64; 4];
                    for px in image.pixels.chunks_exact(4) {
                        for (total, c) in sum.iter_mut().zip(px) {
                            *total += u64::from(*c);
                        }
                    }
                    let n = (image.pixels.len() as u64 / 4).max(1);
                    let mean = sum.map(|total| total / n);
                    format!("raster {}x{}, mean rgba {mean:?}", image.width, image.height)
                }
            };
            out += &format!("layer {} {:?}: {what}\n", layer.id, layer.name);
        }
        Ok(out.into_bytes())
    }

    fn save(file_name: String) -> Result<u64, String> {
        let text = Self::render()?;
        // The only folder this plugin can see is the one granted at `/out`.
        let path = format!("/out/{file_name}");
        std::fs::write(&path, &text).map_err(|e| format!("cannot write {path}: {e}"))?;
        Ok(text.len() as u64)
    }
}

export!(Layers);
