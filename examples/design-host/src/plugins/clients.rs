//! One client per kind of plugin (filter, tool, exporter) over every version
//! of its world this host serves. The rest of the host speaks the current
//! (0.2.0) types; calls to an older plugin are converted on the way in and
//! out, and its `document` imports are served through
//! [`DocumentAdapter`](super::v0_1::DocumentAdapter).

use super::v0_1::{self, DocumentAdapter};
use super::{exporter, filter, tool};

/// A started filter, by the version of `airlock:design/filter` it was built for.
pub enum FilterPlugin {
    V0_2(filter::Filter),
    V0_1(v0_1::filter::Filter),
}

/// A started tool, by the version of `airlock:design/tool` it was built for.
pub enum ToolPlugin {
    V0_2(tool::Tool),
    V0_1(v0_1::tool::Tool),
}

/// A started exporter, by the version of `airlock:design/exporter` it was built for.
pub enum ExporterPlugin {
    V0_2(exporter::Exporter),
    V0_1(v0_1::exporter::Exporter),
}

impl FilterPlugin {
    /// The world and version whose bindings drive this plugin.
    pub fn world_name(&self) -> &'static str {
        match self {
            Self::V0_2(_) => filter::WORLD_NAME,
            Self::V0_1(_) => v0_1::filter::WORLD_NAME,
        }
    }

    pub fn plugin_mut(&mut self) -> &mut airlock::Plugin {
        match self {
            Self::V0_2(p) => p.plugin_mut(),
            Self::V0_1(p) => p.plugin_mut(),
        }
    }

    pub fn describe(&mut self) -> airlock::Result<filter::FilterInfo> {
        match self {
            Self::V0_2(p) => p.describe(),
            Self::V0_1(p) => p.describe().map(Into::into),
        }
    }

    pub fn apply(
        &mut self,
        image: &filter::design::types::Image,
        params: &[filter::design::types::Param],
    ) -> airlock::Result<Result<filter::design::types::Image, filter::FilterError>> {
        match self {
            Self::V0_2(p) => p.apply(image, params),
            Self::V0_1(p) => {
                let image = image.clone().into();
                let params: Vec<_> = params.iter().cloned().map(Into::into).collect();
                let out = p.apply(&image, &params)?;
                Ok(out.map(Into::into).map_err(Into::into))
            }
        }
    }
}

impl ToolPlugin {
    /// The world and version whose bindings drive this plugin.
    pub fn world_name(&self) -> &'static str {
        match self {
            Self::V0_2(_) => tool::WORLD_NAME,
            Self::V0_1(_) => v0_1::tool::WORLD_NAME,
        }
    }

    pub fn plugin_mut(&mut self) -> &mut airlock::Plugin {
        match self {
            Self::V0_2(p) => p.plugin_mut(),
            Self::V0_1(p) => p.plugin_mut(),
        }
    }

    /// Runs the tool once against `host`, which serves the current
    /// `document` imports (a 0.1.0 tool reaches it through the adapter).
    pub fn run<H: tool::ToolImports + ?Sized>(
        &mut self,
        host: &mut H,
        params: &[tool::design::types::Param],
    ) -> airlock::Result<Result<String, tool::ToolError>> {
        match self {
            Self::V0_2(p) => p.run(host, params),
            Self::V0_1(p) => {
                let params: Vec<_> = params.iter().cloned().map(Into::into).collect();
                let out = p.run(&mut DocumentAdapter(host), &params)?;
                Ok(out.map_err(Into::into))
            }
        }
    }
}

impl ExporterPlugin {
    /// The world and version whose bindings drive this plugin.
    pub fn world_name(&self) -> &'static str {
        match self {
            Self::V0_2(_) => exporter::WORLD_NAME,
            Self::V0_1(_) => v0_1::exporter::WORLD_NAME,
        }
    }

    pub fn plugin_mut(&mut self) -> &mut airlock::Plugin {
        match self {
            Self::V0_2(p) => p.plugin_mut(),
            Self::V0_1(p) => p.plugin_mut(),
        }
    }

    pub fn describe<H: exporter::ExporterImports + ?Sized>(
        &mut self,
        host: &mut H,
    ) -> airlock::Result<exporter::ExportInfo> {
        match self {
            Self::V0_2(p) => p.describe(host),
            Self::V0_1(p) => p.describe(&mut DocumentAdapter(host)).map(Into::into),
        }
    }

    /// The export's bytes, or why not.
    pub fn render<H: exporter::ExporterImports + ?Sized>(
        &mut self,
        host: &mut H,
    ) -> airlock::Result<Result<Vec<u8>, String>> {
        match self {
            Self::V0_2(p) => p.render(host),
            Self::V0_1(p) => p.render(&mut DocumentAdapter(host)),
        }
    }

    /// Writes the export as `file_name` into the plugin's folder at `/out`;
    /// the number of bytes written, or why not.
    pub fn save<H: exporter::ExporterImports + ?Sized>(
        &mut self,
        host: &mut H,
        file_name: &str,
    ) -> airlock::Result<Result<u64, String>> {
        match self {
            Self::V0_2(p) => p.save(host, file_name),
            Self::V0_1(p) => p.save(&mut DocumentAdapter(host), file_name),
        }
    }
}
