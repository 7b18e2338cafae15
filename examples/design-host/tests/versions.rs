//! One host, two versions of the design worlds: a plugin built for 0.1.0
//! runs through the 0.1.0 bindings against the same document as a 0.2.0
//! one, and a plugin stamped for a version the host does not serve is
//! refused, naming its version and the served ones.

use std::path::Path;
use std::time::Duration;

use airlock::{Launcher, PluginConfig};
use airlock_example_design_host::document::{Document, Geometry, LayerKind, Rect};
use airlock_example_design_host::plugins::tool::design::types::{Color, Param, ParamValue};
use airlock_example_design_host::plugins::v0_1::DocumentAdapter;
use airlock_example_design_host::plugins::v0_1::tool::design::document as old_document;
use airlock_example_design_host::plugins::{self, AnyPlugin, ToolPlugin, filter, tool, v0_1};
use airlock_example_design_host::transaction::{self, Transaction};
use airlock_testkit::{guest_path, restamped};

fn launcher() -> Launcher {
    Launcher::program(env!("CARGO_BIN_EXE_airlock-example-design-host"))
}

/// The export folder for plugins that are not exporters (never granted).
fn no_export_dir() -> &'static Path {
    Path::new("/nonexistent/airlock-export")
}

/// Loads a plugin from the plugin directory the way the demo does.
fn load(name: &str) -> AnyPlugin {
    plugins::load(
        &launcher(),
        &guest_path(name),
        Duration::from_secs(30),
        no_export_dir(),
    )
    .unwrap_or_else(|e| panic!("load {name}: {e:#}"))
    .unwrap_or_else(|| panic!("{name} fits no world"))
    .plugin
}

fn load_tool(name: &str) -> ToolPlugin {
    match load(name) {
        AnyPlugin::Tool(t) => t,
        _ => panic!("{name} is not a tool"),
    }
}

fn shapes(doc: &Document, layer: u64) -> usize {
    match &doc.layer(layer).unwrap().kind {
        LayerKind::Vector { shapes } => shapes.len(),
        LayerKind::Raster { .. } => panic!("layer {layer} is a raster layer"),
    }
}

/// Runs `tool` with `params` on its own copy of `doc`: the outcome and the document after.
fn run_tool(
    tool: &mut ToolPlugin,
    doc: &Document,
    params: &[Param],
) -> (Result<String, tool::ToolError>, Document) {
    let mut doc = doc.clone();
    let out =
        transaction::run(&mut doc, |tx| tool.exports.run(tx, params)).expect("the call completes");
    (out, doc)
}

#[test]
fn a_0_1_tool_changes_the_document_as_the_0_2_one_does() {
    let mut current = load_tool("grid");
    let mut legacy = load_tool("grid_v0_1");
    assert_eq!(current.world_name, "airlock:design/tool@0.2.0");
    assert_eq!(legacy.world_name, "airlock:design/tool@0.1.0");
    assert!(legacy.is_legacy());

    let sample = Document::sample();
    let vector = sample.layers[1].id;
    let params = [
        Param {
            name: "rows".into(),
            value: ParamValue::Integer(3),
        },
        Param {
            name: "cols".into(),
            value: ParamValue::Integer(5),
        },
        Param {
            name: "gap".into(),
            value: ParamValue::Number(2.0),
        },
        Param {
            name: "color".into(),
            value: ParamValue::Color(Color {
                r: 200,
                g: 10,
                b: 30,
                a: 255,
            }),
        },
    ];
    let (out, after) = run_tool(&mut legacy, &sample, &params);
    assert_eq!(out.unwrap(), format!("added 15 shapes to layer {vector}"));
    assert_eq!(shapes(&after, vector), 4 + 15);
    // The parameters crossed into the 0.1.0 types and were honoured: the
    // first cell sits at the selection's corner, in the colour asked for.
    let LayerKind::Vector { shapes: added } = &after.layer(vector).unwrap().kind else {
        unreachable!()
    };
    let (_, first) = &added[4];
    let bounds = sample.selection.bounds.unwrap();
    let Geometry::Rectangle(cell) = first.geometry else {
        panic!("{first:?}")
    };
    assert_eq!((cell.x, cell.y), (bounds.x, bounds.y));
    assert_eq!(cell.width, (bounds.width - 2.0 * 4.0) / 5.0);
    assert_eq!(
        first.fill.map(|c| (c.r, c.g, c.b, c.a)),
        Some((200, 10, 30, 255))
    );
    assert!(first.flags.closed && !first.flags.hidden);

    // The 0.2.0 grid, same parameters, same document: the same result.
    let (current_out, current_after) = run_tool(&mut current, &sample, &params);
    assert_eq!(
        current_out.unwrap(),
        format!("added 15 shapes to layer {vector}")
    );
    assert!(after == current_after, "the two grids' documents differ");

    // Only a raster layer selected: both add a vector layer (add-layer, then
    // shapes on the new layer's id) and fill it with the default 4×4 grid.
    let mut raster_selected = sample.clone();
    raster_selected.selection.layers = vec![sample.layers[0].id];
    let (out, after) = run_tool(&mut legacy, &raster_selected, &[]);
    let (current_out, current_after) = run_tool(&mut current, &raster_selected, &[]);
    assert_eq!(out, current_out);
    assert!(after == current_after, "the two grids' documents differ");
    assert_eq!(after.layers.len(), sample.layers.len() + 1);
    let grid = after.layers.last().unwrap();
    assert_eq!(grid.name, "Grid");
    assert_eq!(
        out.unwrap(),
        format!("added 16 shapes to layer {}", grid.id)
    );
    assert_eq!(shapes(&after, grid.id), 16);
}

#[test]
fn a_0_1_tools_failures_arrive_as_the_current_errors_and_change_nothing() {
    let mut current = load_tool("grid");
    let mut legacy = load_tool("grid_v0_1");
    let sample = Document::sample();

    let mut nothing_selected = sample.clone();
    nothing_selected.selection.layers.clear();
    let bad_param = [Param {
        name: "rows".into(),
        value: ParamValue::Integer(0),
    }];
    // Fails halfway: a new layer, then add-shape refused (non-finite bounds).
    let mut bad_bounds = sample.clone();
    bad_bounds.selection.layers = vec![sample.layers[0].id];
    bad_bounds.selection.bounds = Some(Rect::new(f32::NAN, 0.0, 100.0, 100.0));

    for (doc, params) in [
        (&nothing_selected, &[][..]),
        (&sample, &bad_param[..]),
        (&bad_bounds, &[][..]),
    ] {
        let (out, after) = run_tool(&mut legacy, doc, params);
        let (current_out, _) = run_tool(&mut current, doc, params);
        assert_eq!(out, current_out);
        assert!(out.is_err(), "{out:?}");
        // Layers and selected ids (the bounds may be NaN, unequal to itself).
        assert!(
            after.layers == doc.layers && after.selection.layers == doc.selection.layers,
            "a failed call changed the document: {out:?}"
        );
    }
    let (out, _) = run_tool(&mut legacy, &nothing_selected, &[]);
    assert_eq!(out, Err(tool::ToolError::NothingSelected));
    let (out, _) = run_tool(&mut legacy, &bad_bounds, &[]);
    assert!(
        matches!(
            out,
            Err(tool::ToolError::Document(
                tool::design::document::DocumentError::Invalid(_)
            ))
        ),
        "{out:?}"
    );
}

/// The filter world is the same at 0.1.0 and 0.2.0 but for its version, so
/// the 0.2.0 `grayscale` restamped as 0.1.0 is what building it for 0.1.0 makes.
#[test]
fn a_filter_stamped_0_1_runs_through_the_0_1_bindings() {
    use filter::design::types::{Image, Param, ParamValue};
    let component = std::fs::read(guest_path("grayscale")).unwrap();
    let start = |stamp: &str| {
        // Its manifest names 0.2.0: judged by the stamp alone here.
        let config = PluginConfig::new("grayscale", restamped(&component, stamp))
            .ignore_manifest()
            .deadline(Duration::from_secs(30));
        match plugins::start(&launcher(), config, no_export_dir()) {
            Ok(Some(AnyPlugin::Filter(f))) => f,
            Ok(_) => panic!("{stamp}: not started as a filter"),
            Err(e) => panic!("{stamp}: {e:#}"),
        }
    };
    let mut legacy = start(v0_1::filter::WORLD_NAME);
    let mut current = start(filter::WORLD_NAME);
    assert!(legacy.is_legacy());
    assert!(!current.is_legacy());
    assert_eq!(legacy.world_name, "airlock:design/filter@0.1.0");

    // The defaults come back converted from the 0.1.0 types.
    let info = legacy.exports.describe().unwrap();
    assert_eq!(info, current.exports.describe().unwrap());
    assert_eq!(
        info.defaults,
        [Param {
            name: "amount".into(),
            value: ParamValue::Number(1.0),
        }]
    );

    let image = Image {
        width: 2,
        height: 1,
        pixels: vec![255, 0, 0, 255, 10, 200, 30, 128],
    };
    let gray = legacy
        .exports
        .apply(&image, &info.defaults)
        .unwrap()
        .unwrap();
    assert_eq!(gray.pixels, [54, 54, 54, 255, 147, 147, 147, 128]);
    assert_eq!(
        gray,
        current
            .exports
            .apply(&image, &info.defaults)
            .unwrap()
            .unwrap()
    );
    // Parameters go in converted too: half the amount, half the change.
    let half = [Param {
        name: "amount".into(),
        value: ParamValue::Number(0.5),
    }];
    let out = legacy.exports.apply(&image, &half).unwrap().unwrap();
    assert_eq!(&out.pixels[..4], [155, 27, 27, 255]);
    assert_eq!(out, current.exports.apply(&image, &half).unwrap().unwrap());
    // An error returned by the 0.1.0 filter arrives as the current type.
    let bad = [Param {
        name: "amount".into(),
        value: ParamValue::Text("lots".into()),
    }];
    let err = legacy.exports.apply(&image, &bad).unwrap();
    assert!(
        matches!(err, Err(filter::FilterError::InvalidParam(_))),
        "{err:?}"
    );
    assert_eq!(err, current.exports.apply(&image, &bad).unwrap());
}

/// What `layers-v0-1` writes for `doc`, worked out here from the document.
fn layer_list(doc: &Document) -> String {
    let mut out = format!("canvas {}x{}\n", doc.width, doc.height);
    for layer in &doc.layers {
        let what = match &layer.kind {
            LayerKind::Vector { shapes } => format!("vector, {} shapes", shapes.len()),
            LayerKind::Raster {
                width,
                height,
                rgba,
            } => {
                let mut sum = [0u64; 4];
                for px in rgba.chunks_exact(4) {
                    for (total, c) in sum.iter_mut().zip(px) {
                        *total += u64::from(*c);
                    }
                }
                let mean = sum.map(|total| total / (rgba.len() as u64 / 4));
                format!("raster {width}x{height}, mean rgba {mean:?}")
            }
        };
        out += &format!("layer {} {:?}: {what}\n", layer.id, layer.name);
    }
    out
}

#[test]
fn a_0_1_exporter_reads_the_document_through_the_adapter_and_writes_its_file() {
    let folder = std::env::temp_dir().join(format!("airlock-versions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let loaded = plugins::load(
        &launcher(),
        &guest_path("layers_v0_1"),
        Duration::from_secs(30),
        &folder,
    )
    .unwrap()
    .unwrap();
    assert_eq!(loaded.plugin.world(), "exporter@0.1.0");
    let AnyPlugin::Exporter(mut exporter) = loaded.plugin else {
        panic!("layers-v0-1 is not an exporter")
    };
    assert!(exporter.is_legacy());

    // The sample and a shape more, so the count read through
    // `list-shapes(layer)` is this document's and not the sample's.
    let sample = Document::sample();
    let vector = sample.layers[1].id;
    let extra = match &sample.layers[1].kind {
        LayerKind::Vector { shapes } => shapes[0].1.clone(),
        LayerKind::Raster { .. } => unreachable!(),
    };
    let mut tx = Transaction::begin(&sample);
    tx.add_shape(vector, extra).unwrap();
    let doc = tx.document().clone();

    let info = exporter.exports.describe(&mut tx).unwrap();
    assert_eq!(
        (info.extension.as_str(), info.mime_type.as_str()),
        ("txt", "text/plain")
    );
    let text = String::from_utf8(exporter.exports.render(&mut tx).unwrap().unwrap()).unwrap();
    assert_eq!(text, layer_list(&doc));
    assert!(
        text.contains(&format!("layer {vector} \"Shapes\": vector, 5 shapes")),
        "{text}"
    );

    let written = exporter
        .exports
        .save(&mut tx, "layers.txt")
        .unwrap()
        .unwrap();
    assert_eq!(written, text.len() as u64);
    assert_eq!(
        std::fs::read_to_string(folder.join("layers.txt")).unwrap(),
        text
    );
    // An exporter reads only: the transaction holds the document as it was.
    assert!(tx.document() == &doc);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn stamps_of_versions_the_host_does_not_serve_are_refused_naming_them_all() {
    let component = std::fs::read(guest_path("grid")).unwrap();
    // No runner is ever started: this launcher could not start one.
    let nowhere = Launcher::program("/nonexistent/airlock-runner");
    for stamp in [
        "airlock:design/tool@0.3.0",
        "airlock:design/tool@1.0.0",
        // Newer than the served 0.1.0: it may use what 0.1.5 added.
        "airlock:design/tool@0.1.5",
    ] {
        let config = PluginConfig::new("from-elsewhere", restamped(&component, stamp));
        let err = match plugins::start(&nowhere, config, no_export_dir()) {
            Err(e) => format!("{e:#}"),
            Ok(_) => panic!("{stamp} was started"),
        };
        assert_eq!(
            err,
            format!(
                "the plugin was built for {stamp}; this host serves \
                 airlock:design/tool@0.2.0 and airlock:design/tool@0.1.0"
            )
        );
    }
    let config = PluginConfig::new("foreign", restamped(&component, "airlock:other/tool@0.2.0"));
    let err = plugins::start(&nowhere, config, no_export_dir())
        .err()
        .unwrap();
    assert_eq!(
        format!("{err:#}"),
        "it was built for world airlock:other/tool@0.2.0, which this host does not serve"
    );
}

/// A stamp picks the bindings, but the runner still checks what the
/// component imports: a 0.2.0 tool stamped 0.1.0 is refused, not misread.
#[test]
fn a_0_2_tool_stamped_0_1_is_judged_by_what_it_imports() {
    let component = std::fs::read(guest_path("grid")).unwrap();
    let config =
        PluginConfig::new("grid", restamped(&component, v0_1::tool::WORLD_NAME)).ignore_manifest();
    let err = match plugins::start(&launcher(), config, no_export_dir()) {
        Err(e) => format!("{e:#}"),
        Ok(_) => panic!("a 0.2.0 tool started with the 0.1.0 bindings"),
    };
    assert!(err.contains("airlock:design/document@0.2.0"), "{err}");
}

/// The adapter in process: each 0.1.0 `document` call reads or edits the
/// transaction's document through its 0.2.0 implementation.
#[test]
fn the_0_1_document_is_served_by_the_current_one() {
    use old_document::Host as _;
    let sample = Document::sample();
    let (raster, vector) = (sample.layers[0].id, sample.layers[1].id);
    let mut tx = Transaction::begin(&sample);
    let mut old = DocumentAdapter(&mut tx);

    assert_eq!(old.canvas_size(), (640, 400));
    let layers = old.list_layers();
    assert_eq!(
        layers
            .iter()
            .map(|l| (l.id, l.name.as_str(), l.kind))
            .collect::<Vec<_>>(),
        [
            (raster, "Background", old_document::LayerKind::Raster),
            (vector, "Shapes", old_document::LayerKind::Vector),
        ]
    );
    assert_eq!(old.selection(), [vector]);
    let image = old.read_raster(raster).unwrap();
    let LayerKind::Raster { rgba, .. } = &sample.layers[0].kind else {
        unreachable!()
    };
    assert_eq!((image.width, image.height, &image.pixels), (640, 400, rgba));

    let listed = old.list_shapes(vector).unwrap();
    assert_eq!(listed.len(), 4);
    let (hidden_id, hidden) = listed[3].clone();
    assert!(hidden.flags.contains(old_document::ShapeFlags::HIDDEN));
    let mut shown = hidden.clone();
    shown.flags = old_document::ShapeFlags::CLOSED;
    old.update_shape(vector, hidden_id, shown.clone()).unwrap();
    let added = old.add_shape(vector, shown.clone()).unwrap();
    let scratch = old.add_layer("scratch".into(), old_document::LayerKind::Vector);

    // Refusals name the 0.1.0 layer ids.
    assert_eq!(
        old.read_raster(vector),
        Err(old_document::DocumentError::WrongLayerKind(vector))
    );
    assert_eq!(
        old.add_shape(999, shown.clone()),
        Err(old_document::DocumentError::NoSuchLayer(999))
    );
    let beyond_handles = u64::from(u32::MAX) + 1 + raster;
    assert_eq!(
        old.list_shapes(beyond_handles),
        Err(old_document::DocumentError::NoSuchLayer(beyond_handles))
    );
    assert_eq!(
        old.update_shape(vector, 999, shown),
        Err(old_document::DocumentError::NoSuchShape(999))
    );

    // The edits landed in the transaction's document.
    let doc = tx.document();
    let LayerKind::Vector { shapes } = &doc.layer(vector).unwrap().kind else {
        unreachable!()
    };
    assert_eq!(shapes.len(), 5);
    assert!(!shapes[3].1.flags.hidden && shapes[3].1.flags.closed);
    assert_eq!(shapes[4].0, added);
    assert_eq!(shapes[4].1, shapes[3].1);
    assert_eq!(
        doc.layers.last().map(|l| (l.id, l.name.as_str())),
        Some((scratch, "scratch"))
    );
}
