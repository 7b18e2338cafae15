//! The document model: a canvas with raster and vector layers and a selection.

/// An RGBA colour, not premultiplied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const fn rgba(r: u8, g: u8, b: u8, a: u8) -> Self {
        Self { r, g, b, a }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Rect {
    pub const fn new(x: f32, y: f32, width: f32, height: f32) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stroke {
    pub color: Color,
    pub width: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Rectangle(Rect),
    Ellipse(Rect),
    /// A polyline; closed when `ShapeFlags::closed` is set.
    Path(Vec<Point>),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShapeFlags {
    pub hidden: bool,
    pub locked: bool,
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub geometry: Geometry,
    pub fill: Option<Color>,
    pub stroke: Option<Stroke>,
    pub flags: ShapeFlags,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LayerKind {
    Vector {
        shapes: Vec<(u64, Shape)>,
    },
    /// RGBA pixels, 4 bytes per pixel, not premultiplied; drawn at the canvas origin.
    Raster {
        width: u32,
        height: u32,
        rgba: Vec<u8>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub id: u64,
    pub name: String,
    pub visible: bool,
    pub kind: LayerKind,
}

impl Layer {
    /// (width, height) of the layer's content box.
    pub fn size(&self, canvas: (u32, u32)) -> (u32, u32) {
        match &self.kind {
            LayerKind::Raster { width, height, .. } => (*width, *height),
            LayerKind::Vector { .. } => canvas,
        }
    }
}

/// The selected layers (topmost first) and the marquee bounding them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub layers: Vec<u64>,
    pub bounds: Option<Rect>,
}

/// A document: layers are stored bottom to top.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub width: u32,
    pub height: u32,
    pub layers: Vec<Layer>,
    pub selection: Selection,
    next_id: u64,
}

impl Document {
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            layers: Vec::new(),
            selection: Selection::default(),
            next_id: 1,
        }
    }

    /// A fresh id for a layer or a shape (one counter for both keeps ids unique).
    pub fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn add_layer(&mut self, name: &str, kind: LayerKind) -> u64 {
        let id = self.next_id();
        self.layers.push(Layer {
            id,
            name: name.into(),
            visible: true,
            kind,
        });
        id
    }

    pub fn layer(&self, id: u64) -> Option<&Layer> {
        self.layers.iter().find(|l| l.id == id)
    }

    pub fn layer_mut(&mut self, id: u64) -> Option<&mut Layer> {
        self.layers.iter_mut().find(|l| l.id == id)
    }

    /// A 640×400 sample: a colourful raster background, a vector layer with a
    /// few shapes, and a selection of the vector layer's right-hand area.
    pub fn sample() -> Self {
        let (w, h) = (640u32, 400u32);
        let mut doc = Document::new(w, h);
        let mut rgba = Vec::with_capacity((w * h * 4) as usize);
        for y in 0..h {
            for x in 0..w {
                let checker = ((x / 40) + (y / 40)) % 2 == 0;
                let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
                let boost = if checker { 1.0 } else { 0.7 };
                rgba.extend_from_slice(&[
                    (255.0 * fx * boost) as u8,
                    (255.0 * (1.0 - fx) * fy * boost + 40.0) as u8,
                    (255.0 * (1.0 - fy) * boost) as u8,
                    255,
                ]);
            }
        }
        doc.add_layer(
            "Background",
            LayerKind::Raster {
                width: w,
                height: h,
                rgba,
            },
        );
        let shapes = vec![
            Shape {
                geometry: Geometry::Rectangle(Rect::new(40.0, 40.0, 160.0, 110.0)),
                fill: Some(Color::rgba(250, 200, 40, 255)),
                stroke: Some(Stroke {
                    color: Color::rgba(0, 0, 0, 255),
                    width: 4.0,
                }),
                flags: ShapeFlags {
                    closed: true,
                    ..Default::default()
                },
            },
            Shape {
                geometry: Geometry::Ellipse(Rect::new(80.0, 190.0, 200.0, 150.0)),
                fill: Some(Color::rgba(230, 60, 90, 220)),
                stroke: Some(Stroke {
                    color: Color::rgba(255, 255, 255, 255),
                    width: 3.0,
                }),
                flags: ShapeFlags {
                    closed: true,
                    ..Default::default()
                },
            },
            Shape {
                geometry: Geometry::Path(vec![
                    Point { x: 240.0, y: 60.0 },
                    Point { x: 320.0, y: 160.0 },
                    Point { x: 220.0, y: 160.0 },
                ]),
                fill: Some(Color::rgba(60, 200, 120, 255)),
                stroke: Some(Stroke {
                    color: Color::rgba(20, 20, 20, 255),
                    width: 2.0,
                }),
                flags: ShapeFlags {
                    closed: true,
                    ..Default::default()
                },
            },
            Shape {
                geometry: Geometry::Rectangle(Rect::new(10.0, 10.0, 50.0, 50.0)),
                fill: Some(Color::rgba(255, 0, 0, 255)),
                stroke: None,
                flags: ShapeFlags {
                    hidden: true,
                    closed: true,
                    ..Default::default()
                },
            },
        ];
        let shapes = shapes.into_iter().map(|s| (doc.next_id(), s)).collect();
        let vector = doc.add_layer("Shapes", LayerKind::Vector { shapes });
        doc.selection = Selection {
            layers: vec![vector],
            bounds: Some(Rect::new(360.0, 40.0, 240.0, 300.0)),
        };
        doc
    }
}
