//! Per-call latency of every small and bulk case, and the 4K image through
//! the grayscale filter, each out of process, in process and (latency) as
//! a raw pipe echo, interleaved round by round; the no-op, nested call and
//! 1 MiB echo also on the POSIX backend (exec'd runner, socket wake-ups),
//! what macOS uses.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use airlock::{Backend, InProcess, Launcher, PluginConfig, Policy, Wake};
use airlock_testkit::battery::PingHost;
use airlock_testkit::filter::{self, Filter, Image};
use airlock_testkit::roundtrip::{self, Roundtrip};
use anyhow::Result;

use super::{Plan, SIZES, batch_for, size_name};
use crate::echo::EchoPipe;
use crate::extism::ExtismPeer;
use crate::measure::{Case, Figures, Run, interleave, local};

/// Per-call latency of every small and bulk case, interleaved round by round.
pub(super) fn latency(
    plan: &Plan,
    launcher: &Launcher,
    config: PluginConfig,
    component: &[u8],
    peer: Option<Rc<RefCell<ExtismPeer>>>,
) -> Result<Figures> {
    eprintln!("latency: {} interleaved rounds of every case…", plan.rounds);
    let plugin = Rc::new(RefCell::new(Roundtrip::start(launcher, config.clone())?));
    // The same plugin on the POSIX backend: an exec'd runner in the host's
    // namespaces, woken over its socket.
    let posix_launcher = launcher.clone().with_backend(Backend::Posix);
    anyhow::ensure!(posix_launcher.ring_wake() == Wake::Socket);
    let on_posix = Rc::new(RefCell::new(Roundtrip::start(&posix_launcher, config)?));
    // The same generated client over the in-process baseline.
    let in_process = Rc::new(RefCell::new(Roundtrip::from_invoker(
        InProcess::load(&roundtrip::RunnerGlue, component).map_err(|e| anyhow::anyhow!("{e}"))?,
    )));
    let pipe = Rc::new(RefCell::new(EchoPipe::spawn()?));

    let mut cases: Vec<Case> = Vec::new();
    let small = [0u8; 16];
    {
        let pipe = pipe.clone();
        cases.push((
            "raw pipe echo 16 B".into(),
            200,
            local(move || pipe.borrow_mut().echo(&small)),
        ));
    }
    small_calls(&mut cases, &plugin, "");
    {
        let p = plugin.clone();
        cases.push((
            "airlock add".into(),
            200,
            local(move || {
                anyhow::ensure!(p.borrow_mut().add(&mut PingHost::default(), 2, 3)? == 5);
                Ok(())
            }),
        ));
    }
    small_calls(&mut cases, &on_posix, ", POSIX backend");
    {
        let ip = in_process.clone();
        cases.push((
            "in-process no-op".into(),
            200,
            local(move || Ok(ip.borrow_mut().noop(&mut PingHost::default())?)),
        ));
        let ip = in_process.clone();
        cases.push((
            "in-process add".into(),
            200,
            local(move || {
                anyhow::ensure!(ip.borrow_mut().add(&mut PingHost::default(), 2, 3)? == 5);
                Ok(())
            }),
        ));
    }
    if let Some(peer) = &peer {
        let peer = peer.clone();
        cases.push((
            "extism no-op".into(),
            200,
            Run::Remote(Box::new(move |n| {
                peer.borrow_mut().run(&format!("noop {n}"))
            })),
        ));
    }
    for size in SIZES {
        if let Some(peer) = &peer {
            let peer = peer.clone();
            cases.push((
                format!("extism echo {}", size_name(size)),
                batch_for(size),
                Run::Remote(Box::new(move |n| {
                    peer.borrow_mut().run(&format!("echo {size} {n}"))
                })),
            ));
        }
        let data: Rc<Vec<u8>> = Rc::new((0..size).map(|i| i as u8).collect());
        let batch = batch_for(size);
        let name = size_name(size);
        let (pipe, d) = (pipe.clone(), data.clone());
        cases.push((
            format!("raw pipe echo {name}"),
            batch,
            local(move || pipe.borrow_mut().echo(&d)),
        ));
        let (ip, d) = (in_process.clone(), data.clone());
        cases.push((
            format!("in-process echo {name}"),
            batch,
            local(move || {
                let back = ip
                    .borrow_mut()
                    .values()
                    .echo_bytes(&mut PingHost::default(), &d)?;
                anyhow::ensure!(back.len() == d.len());
                Ok(())
            }),
        ));
        if size == 1 << 20 {
            let (p, d) = (on_posix.clone(), data.clone());
            cases.push((
                format!("airlock echo {name}, POSIX backend"),
                batch,
                local(move || echo(&p, &d)),
            ));
        }
        let (p, d) = (plugin.clone(), data.clone());
        cases.push((
            format!("airlock echo {name}"),
            batch,
            local(move || echo(&p, &d)),
        ));
    }
    Ok(Figures(interleave(&mut cases, plan.rounds)?))
}

/// The no-op and nested-call cases of `plugin`, their names ending in `suffix`.
fn small_calls(cases: &mut Vec<Case>, plugin: &Rc<RefCell<Roundtrip>>, suffix: &str) {
    let p = plugin.clone();
    cases.push((
        format!("airlock no-op{suffix}"),
        200,
        local(move || Ok(p.borrow_mut().noop(&mut PingHost::default())?)),
    ));
    let p = plugin.clone();
    cases.push((
        format!("airlock nested call{suffix}"),
        200,
        local(move || {
            anyhow::ensure!(p.borrow_mut().nested(&mut PingHost::default(), 1, 21)? == 42);
            Ok(())
        }),
    ));
}

/// `data` through the plugin's `echo-bytes` and back, checked for length.
fn echo(plugin: &RefCell<Roundtrip>, data: &[u8]) -> Result<()> {
    let back = plugin
        .borrow_mut()
        .values()
        .echo_bytes(&mut PingHost::default(), data)?;
    anyhow::ensure!(back.len() == data.len());
    Ok(())
}

/// A 3840×2160 RGBA image through the grayscale filter, out of process and in process.
pub(super) fn image(plan: &Plan, launcher: &Launcher, component: &[u8]) -> Result<Figures> {
    eprintln!(
        "image: 3840x2160 RGBA through grayscale, {} rounds…",
        plan.image_rounds
    );
    let (w, h) = (3840u32, 2160u32);
    let image = Rc::new(Image {
        width: w,
        height: h,
        pixels: (0..w * h * 4).map(|i| (i % 251) as u8).collect(),
    });
    let mut plugin = Filter::start(
        launcher,
        PluginConfig::new("grayscale", component.to_vec()).policy(
            Policy::default()
                .deadline(Duration::from_secs(60))
                .memory(1 << 30),
        ),
    )?;
    let mut in_process = Filter::from_invoker(
        InProcess::load(&filter::RunnerGlue, component).map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    let img = image.clone();
    let mut cases: Vec<Case> = vec![
        (
            "airlock grayscale 3840x2160".into(),
            1,
            local(move || {
                let out = plugin
                    .apply(&img, &[])?
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                anyhow::ensure!(out.pixels.len() == img.pixels.len());
                Ok(())
            }),
        ),
        (
            "in-process grayscale 3840x2160".into(),
            1,
            local(move || {
                let out = in_process
                    .apply(&image, &[])?
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                anyhow::ensure!(out.pixels.len() == image.pixels.len());
                Ok(())
            }),
        ),
    ];
    Ok(Figures(interleave(&mut cases, plan.image_rounds)?))
}
