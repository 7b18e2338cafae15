//! Tests of the generated Seatbelt profile, for each shape of policy: what
//! it allows and nothing more, paths only ever as parameters, and refusals.

use std::path::Path;

use super::*;

/// Every `(param "…")` the text names.
fn named_params(text: &str) -> Vec<String> {
    text.split("(param \"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

/// The text's `allow` rules, one per line, without the base's.
fn grants(profile: &Profile) -> Vec<&str> {
    profile.text[BASE.len()..].lines().collect()
}

fn check_well_formed(profile: &Profile) {
    assert!(profile.text.starts_with(BASE));
    let mut depth = 0i32;
    for c in profile.text.chars() {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        assert!(depth >= 0, "{}", profile.text);
    }
    assert_eq!(depth, 0, "{}", profile.text);
    let names: Vec<&str> = profile.params.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(named_params(&profile.text), names);
}

#[test]
fn no_grants_leaves_only_the_base_which_denies_by_default() {
    let p = profile(&[], &[]).unwrap();
    check_well_formed(&p);
    assert_eq!(p.text, BASE);
    assert!(p.params.is_empty());
    assert!(p.text.contains("(deny default)"));
    for never in [
        "file-read",
        "file-write",
        "network",
        "process-fork",
        "process-exec",
        "mach-lookup",
    ] {
        assert!(!p.text.contains(never), "the base allows {never}");
    }
}

#[test]
fn a_read_only_folder_is_readable_beneath_and_not_writable() {
    let p = profile(&[(Path::new("/Users/ada/in"), false)], &[]).unwrap();
    check_well_formed(&p);
    assert_eq!(
        grants(&p),
        ["(allow file-read* (subpath (param \"PREOPEN_0\")))"]
    );
    assert_eq!(p.param("PREOPEN_0"), Some(OsStr::new("/Users/ada/in")));
    assert!(!p.text.contains("file-write"));
}

#[test]
fn folders_keep_their_order_and_each_its_own_access() {
    let p = profile(
        &[(Path::new("/a/rw"), true), (Path::new("/b/ro"), false)],
        &[],
    )
    .unwrap();
    check_well_formed(&p);
    assert_eq!(
        grants(&p),
        [
            "(allow file-read* file-write* (subpath (param \"PREOPEN_0\")))",
            "(allow file-read* (subpath (param \"PREOPEN_1\")))",
        ]
    );
    assert_eq!(p.param("PREOPEN_0"), Some(OsStr::new("/a/rw")));
    assert_eq!(p.param("PREOPEN_1"), Some(OsStr::new("/b/ro")));
}

#[test]
fn granted_ports_allow_tcp_connects_to_them_only() {
    let p = profile(&[], &[8443, 443, 8443]).unwrap();
    check_well_formed(&p);
    assert_eq!(
        grants(&p),
        [
            "(allow network-outbound (remote tcp \"*:443\"))",
            "(allow network-outbound (remote tcp \"*:8443\"))",
        ]
    );
    assert!(!p.text.contains("network-inbound") && !p.text.contains("network-bind"));
}

#[test]
fn a_path_cannot_change_the_profile_it_is_a_parameter_of() {
    let hostile = "/tmp/x\")) (allow default) ((\"";
    let benign = profile(&[(Path::new("/tmp/x"), false)], &[]).unwrap();
    let p = profile(&[(Path::new(hostile), false)], &[]).unwrap();
    check_well_formed(&p);
    assert_eq!(p.text, benign.text);
    assert!(!p.text.contains("allow default"));
    assert_eq!(p.param("PREOPEN_0"), Some(OsStr::new(hostile)));
}

#[test]
fn a_relative_path_or_one_with_a_nul_is_refused() {
    assert_eq!(
        profile(&[(Path::new("in"), false)], &[]),
        Err(SeatbeltError::RelativePath("in".into()))
    );
    let nul = Path::new("/tmp/a\0b");
    assert!(matches!(
        profile(&[(nul, true)], &[]),
        Err(SeatbeltError::NulInPath(_))
    ));
}
