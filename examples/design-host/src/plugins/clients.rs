//! Each kind of plugin (filter, tool, exporter) behind the generated exports
//! trait of its current (0.2.0) world, so that the rest of the host calls
//! one trait and never branches on versions. A 0.2.0 plugin is its generated
//! client itself; a 0.1.0 plugin is wrapped in [`Legacy`], which converts
//! values on the way in and out and serves its `document` imports through
//! [`DocumentAdapter`](super::v0_1::DocumentAdapter).

use super::v0_1::{self, DocumentAdapter};
use super::{exporter, filter, tool};
use exporter::{ExporterExports, ExporterImports};
use filter::FilterExports;
use filter::design::types::{Image, Param};
use tool::{ToolExports, ToolImports};

/// A started plugin of one kind: the world its bindings speak and its
/// exports in the current types.
pub struct Started<E: ?Sized> {
    /// The full name and version of the world whose bindings drive it.
    pub world_name: &'static str,
    /// Its exports: `plugin.exports.apply(…)`.
    pub exports: Box<E>,
}

impl<E: Runs + ?Sized> Started<E> {
    /// The sandboxed plugin behind the exports: name, metrics, progress.
    pub fn plugin_mut(&mut self) -> &mut airlock::Plugin {
        self.exports.plugin_mut()
    }

    /// True if the plugin was built for 0.1.0 and runs through [`Legacy`].
    pub fn is_legacy(&self) -> bool {
        self.world_name.ends_with("@0.1.0")
    }
}

/// The sandboxed plugin behind a kind's exports.
pub trait Runs {
    fn plugin_mut(&mut self) -> &mut airlock::Plugin;
}

/// A filter at any version: the current filter exports, and its plugin.
pub trait Filter: FilterExports + Runs {}
impl<T: FilterExports + Runs> Filter for T {}

/// A tool at any version: the current tool exports, and its plugin.
pub trait Tool: ToolExports + Runs {}
impl<T: ToolExports + Runs> Tool for T {}

/// An exporter at any version: the current exporter exports, and its plugin.
pub trait Exporter: ExporterExports + Runs {}
impl<T: ExporterExports + Runs> Exporter for T {}

pub type FilterPlugin = Started<dyn Filter>;
pub type ToolPlugin = Started<dyn Tool>;
pub type ExporterPlugin = Started<dyn Exporter>;

impl<C: airlock::Client> Runs for C {
    fn plugin_mut(&mut self) -> &mut airlock::Plugin {
        airlock::Client::plugin_mut(self)
    }
}

/// A 0.1.0 plugin behind the current exports.
pub struct Legacy<C>(pub C);

impl<C: airlock::Client> Runs for Legacy<C> {
    fn plugin_mut(&mut self) -> &mut airlock::Plugin {
        airlock::Client::plugin_mut(&mut self.0)
    }
}

impl FilterExports for Legacy<v0_1::filter::Filter> {
    fn describe(&mut self) -> airlock::Result<filter::FilterInfo> {
        self.0.describe().map(Into::into)
    }

    fn apply(
        &mut self,
        image: &Image,
        params: &[Param],
    ) -> airlock::Result<Result<Image, filter::FilterError>> {
        let image = image.clone().into();
        let params: Vec<_> = params.iter().cloned().map(Into::into).collect();
        let out = self.0.apply(&image, &params)?;
        Ok(out.map(Into::into).map_err(Into::into))
    }
}

impl ToolExports for Legacy<v0_1::tool::Tool> {
    fn run(
        &mut self,
        host: &mut dyn ToolImports,
        params: &[tool::design::types::Param],
    ) -> airlock::Result<Result<String, tool::ToolError>> {
        let params: Vec<_> = params.iter().cloned().map(Into::into).collect();
        let out = self.0.run(&mut DocumentAdapter(host), &params)?;
        Ok(out.map_err(Into::into))
    }
}

impl ExporterExports for Legacy<v0_1::exporter::Exporter> {
    fn describe(
        &mut self,
        host: &mut dyn ExporterImports,
    ) -> airlock::Result<exporter::ExportInfo> {
        self.0.describe(&mut DocumentAdapter(host)).map(Into::into)
    }

    fn render(
        &mut self,
        host: &mut dyn ExporterImports,
    ) -> airlock::Result<Result<Vec<u8>, String>> {
        self.0.render(&mut DocumentAdapter(host))
    }

    fn save(
        &mut self,
        host: &mut dyn ExporterImports,
        file_name: &str,
    ) -> airlock::Result<Result<u64, String>> {
        self.0.save(&mut DocumentAdapter(host), file_name)
    }
}
