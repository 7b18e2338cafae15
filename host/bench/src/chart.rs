//! The latency-versus-payload chart, as SVG.

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::cases::SIZES;
use crate::measure::Figures;

/// A line: its label, colour and (payload, median µs) points.
type Series = (&'static str, RGBColor, Vec<(f64, f64)>);

/// Draws round-trip latency against payload size (both log scales) for the
/// raw pipe echo, the in-process typed call and Airlock.
pub fn draw(path: &Path, latency: &Figures) -> Result<()> {
    let series: Vec<Series> = [
        ("raw pipe echo", "raw pipe echo", RGBColor(120, 120, 120)),
        (
            "in-process typed call",
            "in-process echo",
            RGBColor(31, 119, 180),
        ),
        (
            "Airlock, out of process",
            "airlock echo",
            RGBColor(214, 39, 40),
        ),
    ]
    .into_iter()
    .map(|(label, prefix, color)| {
        let points = SIZES
            .iter()
            .map(|&size| {
                let name = format!("{prefix} {}", crate::cases::size_name(size));
                (size as f64, latency[name.as_str()].median_us())
            })
            .collect();
        (label, color, points)
    })
    .collect();
    let max_y = series
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|&(_, y)| y))
        .fold(1.0, f64::max);
    let min_y = series
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|&(_, y)| y))
        .fold(f64::INFINITY, f64::min)
        .max(0.01);

    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "list<u8> round trip: latency vs payload",
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (SIZES[0] as f64 / 2.0..SIZES[SIZES.len() - 1] as f64 * 2.0).log_scale(),
            (min_y / 2.0..max_y * 2.0).log_scale(),
        )
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc("payload (bytes)")
        .y_desc("median round trip (µs)")
        .x_label_formatter(&|x| crate::cases::size_name(*x as usize))
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    for (label, color, points) in series {
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(|e| anyhow!("{e}"))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 3, color.filled())),
            )
            .map_err(|e| anyhow!("{e}"))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow!("{e}"))?;
    Ok(())
}
