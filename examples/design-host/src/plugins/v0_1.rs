//! Serving `airlock:design@0.1.0` plugins: that version's bindings, `From`
//! conversions between its types and the current ones, and its `document`
//! imports served on top of the current `document` (an adapter, not a second
//! document).
//!
//! 0.1.0 named layers by `layer-id` (`list-layers`, `read-raster(layer)`,
//! `add-shape(layer, shape)`, …); 0.2.0 hands out `layer` handles with
//! methods. [`DocumentAdapter`] turns each 0.1.0 call into the 0.2.0 calls
//! that do the same, so whatever implements the current `document::Host`
//! (the [`Transaction`](crate::transaction::Transaction)) serves both.

pub mod filter {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design-0.1"], world: "airlock:design/filter" });
}
pub mod tool {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design-0.1"], world: "airlock:design/tool" });
}
pub mod exporter {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design-0.1"], world: "airlock:design/exporter" });
}

/// The 0.1.0 `document` imports, served by `H`, a host of the current ones.
///
/// A 0.1.0 layer id is looked up among the current `layers()` by its
/// `info().id`; every handle the adapter is given it drops once done with it.
pub struct DocumentAdapter<'h, H: ?Sized>(pub &'h mut H);

/// `From` both ways between one world's `types` records and variants at two
/// versions (identical in 0.1.0 and 0.2.0).
macro_rules! convert_types {
    ($a:path, $b:path) => {
        convert_types!(@one $a => $b);
        convert_types!(@one $b => $a);
    };
    (@one $from:path => $to:path) => {
        const _: () = {
            use $from as src;
            use $to as dst;

            impl From<src::Color> for dst::Color {
                fn from(c: src::Color) -> Self {
                    Self { r: c.r, g: c.g, b: c.b, a: c.a }
                }
            }
            impl From<src::Point> for dst::Point {
                fn from(p: src::Point) -> Self {
                    Self { x: p.x, y: p.y }
                }
            }
            impl From<src::Rect> for dst::Rect {
                fn from(r: src::Rect) -> Self {
                    Self { x: r.x, y: r.y, width: r.width, height: r.height }
                }
            }
            impl From<src::Image> for dst::Image {
                fn from(i: src::Image) -> Self {
                    Self { width: i.width, height: i.height, pixels: i.pixels }
                }
            }
            impl From<src::ParamValue> for dst::ParamValue {
                fn from(v: src::ParamValue) -> Self {
                    match v {
                        src::ParamValue::Boolean(v) => Self::Boolean(v),
                        src::ParamValue::Integer(v) => Self::Integer(v),
                        src::ParamValue::Number(v) => Self::Number(v),
                        src::ParamValue::Text(v) => Self::Text(v),
                        src::ParamValue::Color(v) => Self::Color(v.into()),
                    }
                }
            }
            impl From<src::Param> for dst::Param {
                fn from(p: src::Param) -> Self {
                    Self { name: p.name, value: p.value.into() }
                }
            }
        };
    };
}

/// `From` both ways between one world's `document` types at two versions
/// (the types did not change; the functions did).
macro_rules! convert_document_types {
    ($a:path, $b:path) => {
        convert_document_types!(@one $a => $b);
        convert_document_types!(@one $b => $a);
    };
    (@one $from:path => $to:path) => {
        const _: () = {
            use $from as src;
            use $to as dst;

            impl From<src::LayerKind> for dst::LayerKind {
                fn from(k: src::LayerKind) -> Self {
                    match k {
                        src::LayerKind::Vector => Self::Vector,
                        src::LayerKind::Raster => Self::Raster,
                    }
                }
            }
            impl From<src::ShapeFlags> for dst::ShapeFlags {
                fn from(f: src::ShapeFlags) -> Self {
                    let mut out = Self::empty();
                    for (from, to) in [
                        (src::ShapeFlags::HIDDEN, Self::HIDDEN),
                        (src::ShapeFlags::LOCKED, Self::LOCKED),
                        (src::ShapeFlags::CLOSED, Self::CLOSED),
                    ] {
                        if f.contains(from) {
                            out |= to;
                        }
                    }
                    out
                }
            }
            impl From<src::Stroke> for dst::Stroke {
                fn from(s: src::Stroke) -> Self {
                    Self { color: s.color.into(), width: s.width }
                }
            }
            impl From<src::Geometry> for dst::Geometry {
                fn from(g: src::Geometry) -> Self {
                    match g {
                        src::Geometry::Rectangle(r) => Self::Rectangle(r.into()),
                        src::Geometry::Ellipse(r) => Self::Ellipse(r.into()),
                        src::Geometry::Path(p) => Self::Path(p.into_iter().map(Into::into).collect()),
                    }
                }
            }
            impl From<src::Shape> for dst::Shape {
                fn from(s: src::Shape) -> Self {
                    Self {
                        geometry: s.geometry.into(),
                        fill: s.fill.map(Into::into),
                        stroke: s.stroke.map(Into::into),
                        flags: s.flags.into(),
                    }
                }
            }
            impl From<src::LayerInfo> for dst::LayerInfo {
                fn from(l: src::LayerInfo) -> Self {
                    Self {
                        id: l.id,
                        name: l.name,
                        kind: l.kind.into(),
                        visible: l.visible,
                        size: l.size,
                    }
                }
            }
            impl From<src::DocumentError> for dst::DocumentError {
                fn from(e: src::DocumentError) -> Self {
                    match e {
                        src::DocumentError::NoSuchLayer(id) => Self::NoSuchLayer(id),
                        src::DocumentError::NoSuchShape(id) => Self::NoSuchShape(id),
                        src::DocumentError::WrongLayerKind(id) => Self::WrongLayerKind(id),
                        src::DocumentError::Invalid(msg) => Self::Invalid(msg),
                    }
                }
            }
        };
    };
}

/// The 0.1.0 `document::Host` of one world for [`DocumentAdapter`], over
/// the current `document::Host` of the same world.
macro_rules! adapt_document {
    ($world:ident) => {
        const _: () = {
            use crate::plugins::v0_1::$world::design::document as old;
            use crate::plugins::v0_1::$world::design::types as old_types;
            use crate::plugins::$world::design::document as new;

            /// The layer whose `info().id` is `id`; the other handles are dropped.
            fn find<H: new::Host + ?Sized>(host: &mut H, id: u64) -> Option<new::Layer> {
                let mut found = None;
                for layer in new::Host::layers(host) {
                    if found.is_none() && new::Host::layer_info(host, layer).id == id {
                        found = Some(layer);
                    } else {
                        new::Host::drop_layer(host, layer);
                    }
                }
                found
            }

            /// `f` on the layer with this id (then drops its handle), or
            /// `no-such-layer` as 0.1.0 reported it.
            fn on_layer<H: new::Host + ?Sized, T>(
                host: &mut H,
                id: u64,
                f: impl FnOnce(&mut H, new::Layer) -> Result<T, new::DocumentError>,
            ) -> Result<T, old::DocumentError> {
                let layer = find(host, id).ok_or(old::DocumentError::NoSuchLayer(id))?;
                let out = f(host, layer);
                new::Host::drop_layer(host, layer);
                out.map_err(Into::into)
            }

            /// What the layer tells about itself; its handle is dropped.
            fn info<H: new::Host + ?Sized>(host: &mut H, layer: new::Layer) -> new::LayerInfo {
                let info = new::Host::layer_info(host, layer);
                new::Host::drop_layer(host, layer);
                info
            }

            impl<H: new::Host + ?Sized> old::Host for DocumentAdapter<'_, H> {
                fn canvas_size(&mut self) -> (u32, u32) {
                    new::Host::canvas_size(self.0)
                }
                fn list_layers(&mut self) -> Vec<old::LayerInfo> {
                    let layers = new::Host::layers(self.0);
                    layers
                        .into_iter()
                        .map(|layer| info(self.0, layer).into())
                        .collect()
                }
                fn selection(&mut self) -> Vec<u64> {
                    let selection = new::Host::selection(self.0);
                    selection
                        .into_iter()
                        .map(|layer| info(self.0, layer).id)
                        .collect()
                }
                fn selection_bounds(&mut self) -> Option<old_types::Rect> {
                    new::Host::selection_bounds(self.0).map(Into::into)
                }
                fn read_raster(
                    &mut self,
                    layer: u64,
                ) -> Result<old_types::Image, old::DocumentError> {
                    on_layer(self.0, layer, new::Host::layer_read_raster).map(Into::into)
                }
                fn list_shapes(
                    &mut self,
                    layer: u64,
                ) -> Result<Vec<(u64, old::Shape)>, old::DocumentError> {
                    let shapes = on_layer(self.0, layer, new::Host::layer_shapes)?;
                    Ok(shapes
                        .into_iter()
                        .map(|(id, shape)| (id, shape.into()))
                        .collect())
                }
                fn add_layer(&mut self, name: String, kind: old::LayerKind) -> u64 {
                    let layer = new::Host::add_layer(self.0, name, kind.into());
                    info(self.0, layer).id
                }
                fn add_shape(
                    &mut self,
                    layer: u64,
                    shape: old::Shape,
                ) -> Result<u64, old::DocumentError> {
                    on_layer(self.0, layer, |host, layer| {
                        new::Host::layer_add_shape(host, layer, shape.into())
                    })
                }
                fn update_shape(
                    &mut self,
                    layer: u64,
                    id: u64,
                    shape: old::Shape,
                ) -> Result<(), old::DocumentError> {
                    on_layer(self.0, layer, |host, layer| {
                        new::Host::layer_update_shape(host, layer, id, shape.into())
                    })
                }
            }
        };
    };
}

convert_types!(
    crate::plugins::v0_1::filter::design::types,
    crate::plugins::filter::design::types
);
convert_types!(
    crate::plugins::v0_1::tool::design::types,
    crate::plugins::tool::design::types
);
convert_types!(
    crate::plugins::v0_1::exporter::design::types,
    crate::plugins::exporter::design::types
);
convert_document_types!(
    crate::plugins::v0_1::tool::design::document,
    crate::plugins::tool::design::document
);
convert_document_types!(
    crate::plugins::v0_1::exporter::design::document,
    crate::plugins::exporter::design::document
);
adapt_document!(tool);
adapt_document!(exporter);

// What the worlds themselves declare, old to new: what a 0.1.0 plugin returns.

impl From<filter::FilterInfo> for super::filter::FilterInfo {
    fn from(i: filter::FilterInfo) -> Self {
        Self {
            name: i.name,
            description: i.description,
            defaults: i.defaults.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<filter::FilterError> for super::filter::FilterError {
    fn from(e: filter::FilterError) -> Self {
        match e {
            filter::FilterError::InvalidParam(m) => Self::InvalidParam(m),
            filter::FilterError::UnsupportedImage(m) => Self::UnsupportedImage(m),
            filter::FilterError::Failed(m) => Self::Failed(m),
        }
    }
}

impl From<tool::ToolError> for super::tool::ToolError {
    fn from(e: tool::ToolError) -> Self {
        match e {
            tool::ToolError::InvalidParam(m) => Self::InvalidParam(m),
            tool::ToolError::NothingSelected => Self::NothingSelected,
            tool::ToolError::Document(e) => Self::Document(e.into()),
        }
    }
}

impl From<exporter::ExportInfo> for super::exporter::ExportInfo {
    fn from(i: exporter::ExportInfo) -> Self {
        Self {
            format: i.format,
            extension: i.extension,
            mime_type: i.mime_type,
        }
    }
}
