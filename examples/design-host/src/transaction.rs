//! The `document` imports for the tool and exporter worlds, over a transaction
//! (0.1.0 plugins reach it through `plugins::v0_1::DocumentAdapter`).
//!
//! A plugin call sees and edits a *clone* of the document. [`run`] replaces the
//! real document with the clone only when the call returned `Ok(Ok(..))`; on a
//! plugin error, a trap, a crash or a deadline the original stays untouched.
//! What one call may add is bounded ([`Bounds`]): past a bound the
//! transaction is refused and never committed.

use crate::bounds::{BoundExceeded, Bounds, Growth};
use crate::document::{Document, Layer, LayerKind, Rect, Shape};

/// Why a document operation was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum DocError {
    NoSuchLayer(u64),
    NoSuchShape(u64),
    WrongLayerKind(u64),
    Invalid(String),
    /// The call went past what one transaction may add; plugins see it as
    /// `document-error.invalid` with this message.
    Bound(BoundExceeded),
}

impl std::fmt::Display for DocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocError::NoSuchLayer(id) => write!(f, "no layer {id}"),
            DocError::NoSuchShape(id) => write!(f, "no shape {id}"),
            DocError::WrongLayerKind(id) => write!(f, "layer {id} is not of that kind"),
            DocError::Invalid(why) => f.write_str(why),
            DocError::Bound(bound) => write!(f, "refused: {bound}"),
        }
    }
}

/// What a plugin may read of a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSummary {
    pub id: u64,
    pub name: String,
    pub is_raster: bool,
    pub visible: bool,
    pub size: (u32, u32),
}

/// A working copy of a document that a plugin call may change.
#[derive(Debug, Clone)]
pub struct Transaction {
    doc: Document,
    bounds: Bounds,
    growth: Growth,
    /// The first bound the call went past: every later change is refused
    /// with it, and the transaction is not committed.
    refused: Option<BoundExceeded>,
}

/// Runs `call` against a copy of `doc` under the default [`Bounds`];
/// commits the copy only on `Ok(Ok(..))` from a call that stayed within
/// them. One that went past a bound and still returned `Ok(Ok(..))` (a
/// plugin ignoring the error) gets `Ok(Err(DocError::Bound(..)))` instead.
pub fn run<T, E: From<DocError>, X>(
    doc: &mut Document,
    call: impl FnOnce(&mut Transaction) -> Result<Result<T, E>, X>,
) -> Result<Result<T, E>, X> {
    let mut tx = Transaction::begin(doc);
    let outcome = call(&mut tx);
    match (outcome, tx.refused) {
        (Ok(Ok(_)), Some(bound)) => Ok(Err(DocError::Bound(bound).into())),
        (Ok(Ok(value)), None) => {
            *doc = tx.doc;
            Ok(Ok(value))
        }
        (outcome, _) => outcome,
    }
}

impl Transaction {
    pub fn begin(doc: &Document) -> Self {
        Self::with_bounds(doc, Bounds::default())
    }

    pub fn with_bounds(doc: &Document, bounds: Bounds) -> Self {
        Self {
            doc: doc.clone(),
            bounds,
            growth: Growth::default(),
            refused: None,
        }
    }

    /// The bound this transaction went past, if it did.
    pub fn refused(&self) -> Option<&BoundExceeded> {
        self.refused.as_ref()
    }

    /// Refuses every change once one bound was passed, before anything
    /// else is looked at: the plugin hears of the bound at its next change.
    fn still_open(&self) -> Result<(), DocError> {
        match &self.refused {
            Some(bound) => Err(DocError::Bound(bound.clone())),
            None => Ok(()),
        }
    }

    /// Counts an addition against the bounds; the first one past them
    /// refuses the transaction.
    fn grow(
        &mut self,
        charge: impl FnOnce(&mut Growth, &Bounds) -> Result<(), BoundExceeded>,
    ) -> Result<(), DocError> {
        self.still_open()?;
        charge(&mut self.growth, &self.bounds).map_err(|bound| {
            self.refused = Some(bound.clone());
            DocError::Bound(bound)
        })
    }

    /// The working copy, with the changes made so far.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    pub fn canvas_size(&self) -> (u32, u32) {
        (self.doc.width, self.doc.height)
    }

    pub fn layers(&self) -> Vec<LayerSummary> {
        let canvas = self.canvas_size();
        self.doc
            .layers
            .iter()
            .map(|l| LayerSummary {
                id: l.id,
                name: l.name.clone(),
                is_raster: matches!(l.kind, LayerKind::Raster { .. }),
                visible: l.visible,
                size: l.size(canvas),
            })
            .collect()
    }

    pub fn selection(&self) -> Vec<u64> {
        self.doc.selection.layers.clone()
    }

    pub fn selection_bounds(&self) -> Option<Rect> {
        if self.doc.selection.layers.is_empty() {
            None
        } else {
            self.doc.selection.bounds
        }
    }

    fn layer(&self, id: u64) -> Result<&Layer, DocError> {
        self.doc.layer(id).ok_or(DocError::NoSuchLayer(id))
    }

    fn shapes_mut(&mut self, id: u64) -> Result<&mut Vec<(u64, Shape)>, DocError> {
        match &mut self
            .doc
            .layer_mut(id)
            .ok_or(DocError::NoSuchLayer(id))?
            .kind
        {
            LayerKind::Vector { shapes } => Ok(shapes),
            LayerKind::Raster { .. } => Err(DocError::WrongLayerKind(id)),
        }
    }

    /// (width, height, RGBA pixels) of a raster layer.
    pub fn read_raster(&self, id: u64) -> Result<(u32, u32, Vec<u8>), DocError> {
        match &self.layer(id)?.kind {
            LayerKind::Raster {
                width,
                height,
                rgba,
            } => Ok((*width, *height, rgba.clone())),
            LayerKind::Vector { .. } => Err(DocError::WrongLayerKind(id)),
        }
    }

    pub fn list_shapes(&self, id: u64) -> Result<Vec<(u64, Shape)>, DocError> {
        match &self.layer(id)?.kind {
            LayerKind::Vector { shapes } => Ok(shapes.clone()),
            LayerKind::Raster { .. } => Err(DocError::WrongLayerKind(id)),
        }
    }

    pub fn add_layer(&mut self, name: &str, raster: bool) -> Result<u64, DocError> {
        let (width, height) = self.canvas_size();
        let pixels = if raster {
            u64::from(width) * u64::from(height) * 4
        } else {
            0
        };
        // Counted before the pixels are allocated.
        self.grow(|growth, bounds| growth.layer(bounds, name, pixels))?;
        let kind = if raster {
            LayerKind::Raster {
                width,
                height,
                rgba: vec![0; pixels as usize],
            }
        } else {
            LayerKind::Vector { shapes: Vec::new() }
        };
        Ok(self.doc.add_layer(name, kind))
    }

    pub fn add_shape(&mut self, layer: u64, shape: Shape) -> Result<u64, DocError> {
        self.still_open()?;
        validate(&shape)?;
        self.shapes_mut(layer)?;
        self.grow(|growth, bounds| growth.shape(bounds, &shape))?;
        let id = self.doc.next_id();
        self.shapes_mut(layer)?.push((id, shape));
        Ok(id)
    }

    pub fn update_shape(&mut self, layer: u64, id: u64, shape: Shape) -> Result<(), DocError> {
        self.still_open()?;
        validate(&shape)?;
        let shapes = self.shapes_mut(layer)?;
        let index = shapes
            .iter()
            .position(|(sid, _)| *sid == id)
            .ok_or(DocError::NoSuchShape(id))?;
        if shapes[index].1.flags.locked {
            return Err(DocError::Invalid(format!("shape {id} is locked")));
        }
        self.grow(|growth, bounds| growth.shape(bounds, &shape))?;
        self.shapes_mut(layer)?[index].1 = shape;
        Ok(())
    }
}

fn validate(shape: &Shape) -> Result<(), DocError> {
    use crate::document::Geometry;
    let finite = |r: &Rect| {
        [r.x, r.y, r.width, r.height].iter().all(|v| v.is_finite())
            && r.width >= 0.0
            && r.height >= 0.0
    };
    let ok = match &shape.geometry {
        Geometry::Rectangle(r) | Geometry::Ellipse(r) => finite(r),
        Geometry::Path(points) => points.iter().all(|p| p.x.is_finite() && p.y.is_finite()),
    };
    let stroke_ok = shape
        .stroke
        .is_none_or(|s| s.width.is_finite() && s.width >= 0.0);
    if ok && stroke_ok {
        Ok(())
    } else {
        Err(DocError::Invalid("non-finite or negative geometry".into()))
    }
}

/// Implements one world's `document::Host` for [`Transaction`], converting
/// between that world's generated types and the document model.
macro_rules! impl_document_host {
    ($world:ident) => {
        const _: () = {
            use crate::document as m;
            use crate::plugins::$world as w;
            use w::design::document as d;
            use w::design::types as t;

            fn color_in(c: t::Color) -> m::Color {
                m::Color {
                    r: c.r,
                    g: c.g,
                    b: c.b,
                    a: c.a,
                }
            }
            fn color_out(c: m::Color) -> t::Color {
                t::Color {
                    r: c.r,
                    g: c.g,
                    b: c.b,
                    a: c.a,
                }
            }
            fn rect_in(r: t::Rect) -> m::Rect {
                m::Rect {
                    x: r.x,
                    y: r.y,
                    width: r.width,
                    height: r.height,
                }
            }
            fn rect_out(r: m::Rect) -> t::Rect {
                t::Rect {
                    x: r.x,
                    y: r.y,
                    width: r.width,
                    height: r.height,
                }
            }
            fn shape_in(s: d::Shape) -> m::Shape {
                m::Shape {
                    geometry: match s.geometry {
                        d::Geometry::Rectangle(r) => m::Geometry::Rectangle(rect_in(r)),
                        d::Geometry::Ellipse(r) => m::Geometry::Ellipse(rect_in(r)),
                        d::Geometry::Path(p) => m::Geometry::Path(
                            p.into_iter().map(|p| m::Point { x: p.x, y: p.y }).collect(),
                        ),
                    },
                    fill: s.fill.map(color_in),
                    stroke: s.stroke.map(|k| m::Stroke {
                        color: color_in(k.color),
                        width: k.width,
                    }),
                    flags: m::ShapeFlags {
                        hidden: s.flags.contains(d::ShapeFlags::HIDDEN),
                        locked: s.flags.contains(d::ShapeFlags::LOCKED),
                        closed: s.flags.contains(d::ShapeFlags::CLOSED),
                    },
                }
            }
            fn shape_out(s: m::Shape) -> d::Shape {
                let mut flags = d::ShapeFlags::empty();
                for (set, flag) in [
                    (s.flags.hidden, d::ShapeFlags::HIDDEN),
                    (s.flags.locked, d::ShapeFlags::LOCKED),
                    (s.flags.closed, d::ShapeFlags::CLOSED),
                ] {
                    if set {
                        flags |= flag;
                    }
                }
                d::Shape {
                    geometry: match s.geometry {
                        m::Geometry::Rectangle(r) => d::Geometry::Rectangle(rect_out(r)),
                        m::Geometry::Ellipse(r) => d::Geometry::Ellipse(rect_out(r)),
                        m::Geometry::Path(p) => d::Geometry::Path(
                            p.into_iter().map(|p| t::Point { x: p.x, y: p.y }).collect(),
                        ),
                    },
                    fill: s.fill.map(color_out),
                    stroke: s.stroke.map(|k| d::Stroke {
                        color: color_out(k.color),
                        width: k.width,
                    }),
                    flags,
                }
            }
            impl From<DocError> for d::DocumentError {
                fn from(e: DocError) -> Self {
                    match e {
                        DocError::NoSuchLayer(id) => Self::NoSuchLayer(id),
                        DocError::NoSuchShape(id) => Self::NoSuchShape(id),
                        DocError::WrongLayerKind(id) => Self::WrongLayerKind(id),
                        DocError::Invalid(msg) => Self::Invalid(msg),
                        bound @ DocError::Bound(_) => Self::Invalid(bound.to_string()),
                    }
                }
            }
            fn err_out(e: DocError) -> d::DocumentError {
                e.into()
            }

            /// A layer's handle is its id: the document's ids are small
            /// counters (an id beyond `u32` would get a handle naming no layer).
            fn handle(id: u64) -> d::Layer {
                d::Layer::new(u32::try_from(id).unwrap_or(u32::MAX))
            }
            fn id(layer: d::Layer) -> u64 {
                u64::from(layer.rep())
            }

            impl d::Host for Transaction {
                fn canvas_size(&mut self) -> (u32, u32) {
                    Transaction::canvas_size(self)
                }
                fn layers(&mut self) -> Vec<d::Layer> {
                    Transaction::layers(self)
                        .iter()
                        .map(|l| handle(l.id))
                        .collect()
                }
                fn selection(&mut self) -> Vec<d::Layer> {
                    Transaction::selection(self)
                        .into_iter()
                        .map(handle)
                        .collect()
                }
                fn selection_bounds(&mut self) -> Option<t::Rect> {
                    Transaction::selection_bounds(self).map(rect_out)
                }
                /// `add-layer` has no error to return: past a bound the
                /// handle names no layer, and the plugin's next change
                /// fails with the bound (see [`Transaction::refused`]).
                fn add_layer(&mut self, name: String, kind: d::LayerKind) -> d::Layer {
                    match Transaction::add_layer(self, &name, kind == d::LayerKind::Raster) {
                        Ok(id) => handle(id),
                        Err(_) => d::Layer::new(u32::MAX),
                    }
                }
                fn layer_info(&mut self, layer: d::Layer) -> d::LayerInfo {
                    let id = id(layer);
                    let summary = Transaction::layers(self).into_iter().find(|l| l.id == id);
                    match summary {
                        Some(l) => d::LayerInfo {
                            id: l.id,
                            name: l.name,
                            kind: if l.is_raster {
                                d::LayerKind::Raster
                            } else {
                                d::LayerKind::Vector
                            },
                            visible: l.visible,
                            size: l.size,
                        },
                        // Handles are made only for layers of this document.
                        None => d::LayerInfo {
                            id,
                            name: String::new(),
                            kind: d::LayerKind::Vector,
                            visible: false,
                            size: (0, 0),
                        },
                    }
                }
                fn layer_read_raster(
                    &mut self,
                    layer: d::Layer,
                ) -> Result<t::Image, d::DocumentError> {
                    let (width, height, pixels) =
                        Transaction::read_raster(self, id(layer)).map_err(err_out)?;
                    Ok(t::Image {
                        width,
                        height,
                        pixels,
                    })
                }
                fn layer_shapes(
                    &mut self,
                    layer: d::Layer,
                ) -> Result<Vec<(u64, d::Shape)>, d::DocumentError> {
                    let shapes = Transaction::list_shapes(self, id(layer)).map_err(err_out)?;
                    Ok(shapes
                        .into_iter()
                        .map(|(id, s)| (id, shape_out(s)))
                        .collect())
                }
                fn layer_add_shape(
                    &mut self,
                    layer: d::Layer,
                    shape: d::Shape,
                ) -> Result<u64, d::DocumentError> {
                    Transaction::add_shape(self, id(layer), shape_in(shape)).map_err(err_out)
                }
                fn layer_update_shape(
                    &mut self,
                    layer: d::Layer,
                    shape_id: u64,
                    shape: d::Shape,
                ) -> Result<(), d::DocumentError> {
                    Transaction::update_shape(self, id(layer), shape_id, shape_in(shape))
                        .map_err(err_out)
                }
            }
        };
    };
}

impl_document_host!(tool);
impl_document_host!(exporter);

/// A tool's call refused by the transaction itself (see [`run`]).
impl From<DocError> for crate::plugins::tool::ToolError {
    fn from(e: DocError) -> Self {
        Self::Document(e.into())
    }
}
