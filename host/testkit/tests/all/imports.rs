//! Guest→host import calls while a host→guest call is in progress.

use crate::support::{TestHost, everything, start};

#[test]
fn imports_are_served_during_an_export_call() {
    let mut plugin = start();
    let mut host = TestHost::default();
    assert_eq!(plugin.nested(&mut host, 10, 1).unwrap(), 1024);
    assert_eq!(host.doubles, 10);
    assert_eq!(plugin.nested(&mut host, 0, 7).unwrap(), 7);
    assert_eq!(host.doubles, 10);
}

#[test]
fn structured_values_travel_through_imports() {
    let mut plugin = start();
    let mut host = TestHost::default();
    let value = everything();
    let back = plugin.bounce_via_host(&mut host, &value).unwrap();
    assert_eq!(back.text, format!("host:{}+guest", value.text));
    assert_eq!(back.bytes, value.bytes);
    assert_eq!(back.shapes, value.shapes);
    assert_eq!(host.notes, vec!["bounced".to_string()]);
}
