//! How much one plugin call may add to the document: the design host's own
//! memory is bounded against a plugin that calls `add-layer` or `add-shape`
//! in a loop.
//!
//! Every addition a [`Transaction`](crate::transaction::Transaction) accepts
//! is counted against its [`Bounds`]: layers added, shapes added or
//! replaced, the length of each layer name and path, and the bytes all of it
//! holds. The first addition past a bound is refused with
//! [`DocError::Bound`](crate::transaction::DocError::Bound), and so is every
//! later change in that transaction, which is never committed.

use std::fmt;
use std::mem::size_of;

use crate::document::{Geometry, Layer, Point, Shape};

/// What one transaction may add. The defaults leave room for any tool this
/// host ships (the grid tool adds at most 65,536 rectangles) while holding
/// a plugin to a few tens of MiB per call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Layers added.
    pub layers: usize,
    /// Shapes added or replaced.
    pub shapes: usize,
    /// Bytes of one layer name.
    pub name_bytes: usize,
    /// Points of one path.
    pub path_points: usize,
    /// Bytes held by everything added: names, raster pixels, shapes and
    /// their points.
    pub added_bytes: u64,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            layers: 64,
            shapes: 100_000,
            name_bytes: 256,
            path_points: 100_000,
            added_bytes: 64 << 20,
        }
    }
}

/// Which bound an addition went past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundExceeded {
    Layers { limit: usize },
    Shapes { limit: usize },
    NameBytes { len: usize, limit: usize },
    PathPoints { len: usize, limit: usize },
    AddedBytes { limit: u64 },
}

impl fmt::Display for BoundExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Layers { limit } => write!(f, "one call may add at most {limit} layers"),
            Self::Shapes { limit } => {
                write!(f, "one call may add or change at most {limit} shapes")
            }
            Self::NameBytes { len, limit } => {
                write!(f, "a layer name of {len} bytes is longer than {limit}")
            }
            Self::PathPoints { len, limit } => {
                write!(f, "a path of {len} points is longer than {limit}")
            }
            Self::AddedBytes { limit } => {
                write!(f, "one call may add at most {limit} bytes to the document")
            }
        }
    }
}

/// What a transaction has added so far.
#[derive(Debug, Clone, Default)]
pub struct Growth {
    layers: usize,
    shapes: usize,
    bytes: u64,
}

impl Growth {
    /// Counts a new layer called `name` holding `pixels` bytes of raster.
    pub fn layer(&mut self, bounds: &Bounds, name: &str, pixels: u64) -> Result<(), BoundExceeded> {
        if name.len() > bounds.name_bytes {
            return Err(BoundExceeded::NameBytes {
                len: name.len(),
                limit: bounds.name_bytes,
            });
        }
        if self.layers >= bounds.layers {
            return Err(BoundExceeded::Layers {
                limit: bounds.layers,
            });
        }
        let cost = (size_of::<Layer>() + name.len()) as u64 + pixels;
        self.bytes(bounds, cost)?;
        self.layers += 1;
        Ok(())
    }

    /// Counts a shape added, or one replacing another.
    pub fn shape(&mut self, bounds: &Bounds, shape: &Shape) -> Result<(), BoundExceeded> {
        let points = match &shape.geometry {
            Geometry::Path(points) => points.len(),
            Geometry::Rectangle(_) | Geometry::Ellipse(_) => 0,
        };
        if points > bounds.path_points {
            return Err(BoundExceeded::PathPoints {
                len: points,
                limit: bounds.path_points,
            });
        }
        if self.shapes >= bounds.shapes {
            return Err(BoundExceeded::Shapes {
                limit: bounds.shapes,
            });
        }
        let cost = (size_of::<(u64, Shape)>() + points * size_of::<Point>()) as u64;
        self.bytes(bounds, cost)?;
        self.shapes += 1;
        Ok(())
    }

    fn bytes(&mut self, bounds: &Bounds, cost: u64) -> Result<(), BoundExceeded> {
        let bytes = self.bytes.saturating_add(cost);
        if bytes > bounds.added_bytes {
            return Err(BoundExceeded::AddedBytes {
                limit: bounds.added_bytes,
            });
        }
        self.bytes = bytes;
        Ok(())
    }
}
