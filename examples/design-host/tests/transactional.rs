//! A plugin call changes the document only if it succeeds: failures leave it untouched.

use std::time::Duration;

use airlock::{Launcher, PluginConfig};
use airlock_example_design_host::document::{Document, LayerKind, Rect, Shape};
use airlock_example_design_host::plugins::tool::design::document::{Host, Layer};
use airlock_example_design_host::plugins::tool::{self, Tool};
use airlock_example_design_host::transaction::{self, DocError, Transaction};

fn square() -> Shape {
    let mut shape = match &Document::sample().layers[1].kind {
        LayerKind::Vector { shapes } => shapes[0].1.clone(),
        LayerKind::Raster { .. } => unreachable!(),
    };
    shape.fill = None;
    shape
}

fn vector_layer(doc: &Document) -> u64 {
    doc.layers
        .iter()
        .find(|l| matches!(l.kind, LayerKind::Vector { .. }))
        .unwrap()
        .id
}

#[test]
fn a_failed_call_leaves_the_document_unchanged() {
    let mut doc = Document::sample();
    let before = doc.clone();
    let layer = vector_layer(&doc);
    let failed = || DocError::Invalid("tool failed".into());
    let out: Result<Result<(), DocError>, airlock::Error> = transaction::run(&mut doc, |tx| {
        tx.add_layer("scratch", false).unwrap();
        tx.add_shape(layer, square()).unwrap();
        Ok(Err(failed()))
    });
    assert_eq!(out.unwrap(), Err(failed()));
    assert_eq!(doc, before);
}

#[test]
fn a_trap_or_crash_leaves_the_document_unchanged() {
    let mut doc = Document::sample();
    let before = doc.clone();
    let layer = vector_layer(&doc);
    let out: Result<Result<u64, DocError>, airlock::Error> = transaction::run(&mut doc, |tx| {
        tx.add_shape(layer, square()).unwrap();
        Err(airlock::Error::Trap {
            plugin: "t".into(),
            message: "unreachable".into(),
            backtrace: None,
            frames: Vec::new(),
        })
    });
    assert!(matches!(out, Err(airlock::Error::Trap { .. })));
    assert_eq!(doc, before);
}

#[test]
fn a_successful_call_commits() {
    let mut doc = Document::sample();
    let layer = vector_layer(&doc);
    let out: Result<Result<u64, DocError>, ()> = transaction::run(&mut doc, |tx| {
        Ok(Ok(tx.add_shape(layer, square()).unwrap()))
    });
    let id = out.unwrap().unwrap();
    let LayerKind::Vector { shapes } = &doc.layer(layer).unwrap().kind else {
        panic!()
    };
    assert!(shapes.iter().any(|(sid, _)| *sid == id));
}

#[test]
fn document_errors() {
    let doc = Document::sample();
    let mut tx = Transaction::begin(&doc);
    let raster = doc.layers[0].id;
    assert_eq!(
        tx.add_shape(raster, square()),
        Err(DocError::WrongLayerKind(raster))
    );
    assert_eq!(tx.add_shape(999, square()), Err(DocError::NoSuchLayer(999)));
    assert_eq!(
        tx.update_shape(vector_layer(&doc), 999, square()),
        Err(DocError::NoSuchShape(999))
    );
    assert!(tx.read_raster(vector_layer(&doc)).is_err());
    assert_eq!(tx.document(), &doc, "refused operations change nothing");
}

// ---- with the real `grid` plugin (needs the built plugins) ----

fn grid() -> Tool {
    let path = airlock_testkit::guest_path("grid");
    let launcher = Launcher::program(env!("CARGO_BIN_EXE_airlock-example-design-host"));
    let config = PluginConfig::from_file("grid", &path)
        .unwrap()
        .deadline(Duration::from_secs(30));
    Tool::start(&launcher, config).expect("start grid plugin")
}

#[test]
fn grid_plugin_adds_shapes_on_success() {
    let mut grid = grid();
    let mut doc = Document::sample();
    let layer = vector_layer(&doc);
    let out = transaction::run(&mut doc, |tx| grid.run(tx, &[])).unwrap();
    assert_eq!(out.unwrap(), format!("added 16 shapes to layer {layer}"));
    let LayerKind::Vector { shapes } = &doc.layer(layer).unwrap().kind else {
        panic!()
    };
    assert_eq!(shapes.len(), 4 + 16);
}

#[test]
fn grid_plugin_failures_leave_the_document_unchanged() {
    let mut grid = grid();

    // Nothing selected.
    let mut doc = Document::sample();
    doc.selection.layers.clear();
    let before = doc.clone();
    let out = transaction::run(&mut doc, |tx| grid.run(tx, &[])).unwrap();
    assert!(
        matches!(out, Err(tool::ToolError::NothingSelected)),
        "{out:?}"
    );
    assert_eq!(doc, before);

    // A bad parameter.
    let mut doc = Document::sample();
    let before = doc.clone();
    let params = [tool::design::types::Param {
        name: "rows".into(),
        value: tool::design::types::ParamValue::Integer(0),
    }];
    let out = transaction::run(&mut doc, |tx| grid.run(tx, &params)).unwrap();
    assert!(
        matches!(out, Err(tool::ToolError::InvalidParam(_))),
        "{out:?}"
    );
    assert_eq!(doc, before);

    // Fails halfway: only a raster layer is selected, so the tool first adds a
    // vector layer, then its first add-shape is refused (non-finite bounds).
    let mut doc = Document::sample();
    doc.selection.layers = vec![doc.layers[0].id];
    doc.selection.bounds = Some(Rect::new(f32::NAN, 0.0, 100.0, 100.0));
    let before = doc.clone();
    let out = transaction::run(&mut doc, |tx| {
        let out = grid.run(tx, &[]);
        assert_eq!(
            tx.document().layers.len(),
            before.layers.len() + 1,
            "the tool did add a layer"
        );
        out
    })
    .unwrap();
    assert!(matches!(out, Err(tool::ToolError::Document(_))), "{out:?}");
    assert_eq!(doc.layers, before.layers);
    assert_eq!(doc.selection.layers, before.selection.layers);
}

/// Forwards the document imports to a transaction, and SIGKILLs the plugin's
/// runner when the plugin makes its `kill_at`-th `add-shape` call.
struct KillMidCall<'t> {
    tx: &'t mut Transaction,
    runner: u32,
    add_shape_calls: usize,
    kill_at: usize,
}

impl tool::design::document::Host for KillMidCall<'_> {
    fn canvas_size(&mut self) -> (u32, u32) {
        self.tx.canvas_size()
    }
    fn layers(&mut self) -> Vec<Layer> {
        Host::layers(self.tx)
    }
    fn selection(&mut self) -> Vec<Layer> {
        Host::selection(self.tx)
    }
    fn selection_bounds(&mut self) -> Option<tool::design::types::Rect> {
        Host::selection_bounds(self.tx)
    }
    fn add_layer(&mut self, name: String, kind: tool::design::document::LayerKind) -> Layer {
        Host::add_layer(self.tx, name, kind)
    }
    fn layer_info(&mut self, layer: Layer) -> tool::design::document::LayerInfo {
        Host::layer_info(self.tx, layer)
    }
    fn layer_read_raster(
        &mut self,
        layer: Layer,
    ) -> Result<tool::design::types::Image, tool::design::document::DocumentError> {
        Host::layer_read_raster(self.tx, layer)
    }
    fn layer_shapes(
        &mut self,
        layer: Layer,
    ) -> Result<Vec<(u64, tool::design::document::Shape)>, tool::design::document::DocumentError>
    {
        Host::layer_shapes(self.tx, layer)
    }
    fn layer_add_shape(
        &mut self,
        layer: Layer,
        shape: tool::design::document::Shape,
    ) -> Result<u64, tool::design::document::DocumentError> {
        self.add_shape_calls += 1;
        if self.add_shape_calls == self.kill_at {
            let status = std::process::Command::new("kill")
                .args(["-KILL", &self.runner.to_string()])
                .status()
                .expect("run kill");
            assert!(status.success(), "kill -KILL {} failed", self.runner);
        }
        Host::layer_add_shape(self.tx, layer, shape)
    }
    fn layer_update_shape(
        &mut self,
        layer: Layer,
        id: u64,
        shape: tool::design::document::Shape,
    ) -> Result<(), tool::design::document::DocumentError> {
        Host::layer_update_shape(self.tx, layer, id, shape)
    }
}

#[test]
fn a_runner_killed_mid_call_leaves_the_document_unchanged_and_the_next_call_works() {
    let mut grid = grid();
    let mut doc = Document::sample();
    let before = doc.clone();
    let layer = vector_layer(&doc);
    let runner = grid.plugin().pid().expect("a live runner");

    let out = transaction::run(&mut doc, |tx| {
        let mut host = KillMidCall {
            tx,
            runner,
            add_shape_calls: 0,
            kill_at: 5,
        };
        let out = grid.run(&mut host, &[]);
        assert!(host.add_shape_calls >= 5, "the grid stopped early: {out:?}");
        out
    });
    match out {
        Err(airlock::Error::Crashed { .. }) => {}
        other => panic!("expected a crash, got {other:?}"),
    }
    assert_eq!(
        doc, before,
        "the four shapes added before the kill were rolled back"
    );

    let out = transaction::run(&mut doc, |tx| grid.run(tx, &[])).unwrap();
    assert_eq!(out.unwrap(), format!("added 16 shapes to layer {layer}"));
    assert_ne!(
        grid.plugin().pid(),
        Some(runner),
        "a new runner serves the next call"
    );
    assert_eq!(grid.plugin().runners_started(), 2);
}
