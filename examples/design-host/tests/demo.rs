//! The demo binary end to end: real plugins, real runner processes, real PNGs
//! whose pixels show each plugin's effect.

use std::path::Path;
use std::process::Command;

use airlock_testkit::plugin_dir;
use tiny_skia::Pixmap;

fn load(dir: &Path, name: &str) -> Pixmap {
    let path = dir.join(name);
    Pixmap::load_png(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rgb(p: &Pixmap, x: u32, y: u32) -> [u8; 3] {
    let c = p.pixel(x, y).unwrap().demultiply();
    [c.red(), c.green(), c.blue()]
}

/// Runs the demo binary; returns its stdout after checking it succeeded.
fn run_demo(out: &Path, cache: &Path) -> String {
    let run = Command::new(env!("CARGO_BIN_EXE_airlock-example-design-host"))
        .arg("--plugins")
        .arg(plugin_dir())
        .arg("--out")
        .arg(out)
        .arg("--cache")
        .arg(cache)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the demo");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "demo failed: {}\n{stdout}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!stdout.contains("FAILED"), "{stdout}");
    stdout
}

#[test]
fn the_demo_writes_pngs_showing_each_plugins_effect() {
    let out = std::env::temp_dir().join(format!("airlock-demo-test-{}", std::process::id()));
    let cache = out.with_extension("cache");
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&cache);
    let first = run_demo(&out, &cache);
    assert!(first.contains(" 0 rejected)"), "{first}");
    // The second run compiles nothing: every runner starts from the cache.
    let stdout = run_demo(&out, &cache);
    assert!(
        stdout.contains(", 0 compiled (0 stored, 0 rejected)"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&cache).unwrap();
    // Metrics after the demo: every plugin was called, none failed, and each
    // reports the memory its instance held.
    let metrics: Vec<&str> = stdout
        .lines()
        .skip_while(|l| *l != "metrics:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert!(metrics.len() >= 7, "{stdout}");
    for line in metrics {
        assert!(!line.contains(" 0 calls"), "{line}");
        assert!(line.contains("no errors"), "{line}");
        assert!(!line.contains("peak memory 0.0 MiB"), "{line}");
    }
    for name in [
        "before.png",
        "after-grayscale.png",
        "after-invert.png",
        "after-blur.png",
        "after-grid.png",
        "after-grid-v0-1.png",
        "after-js-vector-tool.png",
        "after-js-invert.png",
        "after-py-invert.png",
        "after-js-grayscale.png",
        "after-py-grayscale.png",
        "after-all.png",
        "after-posterize.png",
        "document.svg",
        "document.txt",
        "document.json",
    ] {
        assert!(
            stdout.contains(&out.join(name).display().to_string()),
            "{name} not printed:\n{stdout}"
        );
    }

    let before = load(&out, "before.png");
    let gray = load(&out, "after-grayscale.png");
    let invert = load(&out, "after-invert.png");
    let blur = load(&out, "after-blur.png");
    let grid = load(&out, "after-grid.png");

    // Background pixels no shape covers: the top-left checker cell and the right edge.
    for (x, y) in [(5, 5), (630, 390), (300, 10)] {
        let b = rgb(&before, x, y);
        let [r, g, bl] = rgb(&gray, x, y);
        assert!(
            r == g && g == bl,
            "grayscale left ({x},{y}) colored: {:?}",
            [r, g, bl]
        );
        assert!(
            b[0] != b[1] || b[1] != b[2],
            "the sample's background is colored at ({x},{y})"
        );
        let inv = rgb(&invert, x, y);
        for c in 0..3 {
            assert!(
                (255 - i32::from(b[c]) - i32::from(inv[c])).abs() <= 1,
                "invert at ({x},{y}): {b:?} -> {inv:?}"
            );
        }
    }
    // The JS and Python quick-start inverts (examples/{js,python}/invert) do
    // exactly what the Rust one does, and their grayscales match the Rust
    // grayscale within one step of rounding (each does its own arithmetic).
    for lang in ["js", "py"] {
        let other = load(&out, &format!("after-{lang}-invert.png"));
        assert!(
            other.data() == invert.data(),
            "{lang} invert differs from the Rust one"
        );
        let other = load(&out, &format!("after-{lang}-grayscale.png"));
        let worst = other
            .data()
            .iter()
            .zip(gray.data())
            .map(|(a, b)| (i32::from(*a) - i32::from(*b)).abs())
            .max();
        assert!(
            worst.is_some_and(|d| d <= 1),
            "{lang} grayscale differs from the Rust one by {worst:?}"
        );
        assert!(
            other.data() != before.data(),
            "{lang} grayscale changed nothing"
        );
    }
    // Blur softens the checker edge at x = 40 (cells are 40 px wide) but keeps flat areas.
    let edge = (rgb(&before, 39, 5), rgb(&before, 40, 5));
    let blurred = (rgb(&blur, 39, 5), rgb(&blur, 40, 5));
    let step = |(a, b): ([u8; 3], [u8; 3])| {
        (0..3)
            .map(|c| (i32::from(a[c]) - i32::from(b[c])).abs())
            .sum::<i32>()
    };
    assert!(
        step(blurred) < step(edge),
        "blur kept the edge: {edge:?} -> {blurred:?}"
    );
    // The grid tool draws over the selection (the right half), not elsewhere.
    assert_ne!(
        rgb(&grid, 380, 60),
        rgb(&before, 380, 60),
        "no grid cell at (380,60)"
    );
    assert_eq!(
        rgb(&grid, 5, 5),
        rgb(&before, 5, 5),
        "the grid drew outside the selection"
    );

    // The TypeScript tool (examples/js/vector-tool) drew its violet star in
    // the middle of the selection through the `layer` resource, and nothing
    // outside the selection.
    let star = load(&out, "after-js-vector-tool.png");
    for (x, y) in [(480, 190), (480, 100), (440, 240)] {
        assert_eq!(rgb(&star, x, y), [150, 60, 220], "no star at ({x},{y})");
    }
    for (x, y) in [(5, 5), (380, 60), (630, 390)] {
        assert_eq!(
            rgb(&star, x, y),
            rgb(&before, x, y),
            "the star tool drew at ({x},{y})"
        );
    }
    assert!(
        stdout.contains("js-vector-tool: added a 5-point star"),
        "{stdout}"
    );

    // The grid built for design 0.1.0 ran through the 0.1.0 bindings, beside
    // the 0.2.0 one, and drew exactly what it draws.
    assert!(
        stdout.contains("grid (tool@0.2.0), grid-v0-1 (tool@0.1.0)"),
        "{stdout}"
    );
    let grid_v0_1 = load(&out, "after-grid-v0-1.png");
    assert!(
        grid_v0_1.data() == grid.data(),
        "the 0.1.0 grid drew something else than the 0.2.0 one"
    );

    let svg = std::fs::read_to_string(out.join("document.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..svg.len().min(80)]
    );
    assert!(
        svg.contains("<rect") && svg.contains("<ellipse"),
        "shapes missing from the SVG"
    );
    // The 0.1.0 exporter read the document every plugin edited in turn:
    // both grids' 16 cells and the JS tool's star on top of the sample's 4 shapes.
    let layers = std::fs::read_to_string(out.join("document.txt")).unwrap();
    assert!(
        layers.contains("layer 6 \"Shapes\": vector, 37 shapes"),
        "{layers}"
    );
    assert!(stdout.contains("layers-v0-1 (exporter@0.1.0)"), "{stdout}");
    check_python_plugins(&out, &before, &stdout);
    std::fs::remove_dir_all(&out).unwrap();
}

/// The Python plugins (examples/python/): posterize left every channel of
/// the background at the nearest of its 4 levels, and json-export wrote the
/// document every plugin edited in turn.
fn check_python_plugins(out: &Path, before: &Pixmap, stdout: &str) {
    assert!(
        stdout.contains("json-export (exporter@0.2.0)")
            && stdout.contains("posterize (filter@0.2.0)"),
        "{stdout}"
    );
    let posterized = load(out, "after-posterize.png");
    let level = |v: u8| ((f64::from(v) / 85.0).round() * 85.0) as u8;
    let mut changed = 0;
    for (x, y) in [(5, 5), (630, 390), (300, 10), (620, 20), (100, 380)] {
        let (b, p) = (rgb(before, x, y), rgb(&posterized, x, y));
        assert_eq!(p, b.map(level), "posterize at ({x},{y}): {b:?} -> {p:?}");
        changed += usize::from(p != b);
    }
    assert!(changed >= 3, "posterize changed almost nothing");

    let json = std::fs::read_to_string(out.join("document.json")).unwrap();
    assert!(
        json.starts_with("{\n  \"canvas\": [\n    640,\n    400\n  ]"),
        "{json}"
    );
    assert!(
        json.contains("\"name\": \"Background\",\n      \"kind\": \"raster\""),
        "{json}"
    );
    assert!(
        json.contains("\"kind\": \"ellipse\"") && json.contains("\"kind\": \"path\""),
        "{json}"
    );
    // The sample's 4 shapes, both grids' 16 cells and the JS tool's star, as
    // in document.txt.
    assert_eq!(json.matches("\"geometry\"").count(), 37, "{json}");
}

#[test]
fn a_missing_plugin_directory_is_a_clear_error() {
    let run = Command::new(env!("CARGO_BIN_EXE_airlock-example-design-host"))
        .args(["--plugins", "/nonexistent/airlock-plugins", "--out"])
        .arg(std::env::temp_dir())
        .output()
        .expect("run the demo");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("/nonexistent/airlock-plugins")
            && stderr.contains("cargo xtask build-plugins"),
        "{stderr}"
    );
}

/// A plugin's file name is the plugin's choice too: one that carries terminal
/// controls is shown escaped in every line the demo prints and logs.
#[test]
fn a_hostile_plugin_name_reaches_the_terminal_escaped() {
    let base = std::env::temp_dir().join(format!("airlock-demo-names-{}", std::process::id()));
    let (plugins, out) = (base.join("plugins"), base.join("out"));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&plugins).unwrap();
    let hostile = "grid\x1b]0;owned\x07\u{202e}";
    std::fs::copy(
        plugin_dir().join("grid.wasm"),
        plugins.join(format!("{hostile}.wasm")),
    )
    .unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_airlock-example-design-host"))
        .arg("--plugins")
        .arg(&plugins)
        .arg("--out")
        .arg(&out)
        .arg("--no-cache")
        .env("RUST_LOG", "info")
        // The log's own colours are escape sequences too: off, to see the plugin's.
        .env("NO_COLOR", "1")
        .output()
        .expect("run the demo");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    );
    assert!(run.status.success(), "{stdout}\n{stderr}");
    for text in [&stdout, &stderr] {
        for raw in ['\x1b', '\x07', '\u{202e}'] {
            assert!(!text.contains(raw), "{raw:?} printed raw:\n{text:?}");
        }
    }
    let shown = "grid\\x1b]0;owned\\x07\\u{202e}";
    assert!(stdout.contains(&format!("  ok     {shown}: ")), "{stdout}");
    assert!(
        stdout.contains(&format!("  {shown} ")),
        "metrics line:\n{stdout}"
    );
    assert!(stderr.contains(&format!("plugin={shown}")), "{stderr}");
    std::fs::remove_dir_all(&base).unwrap();
}
