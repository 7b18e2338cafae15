//! Target `policy_toml`: a policy file (`airlock call --policy`, a host
//! application's configuration): sizes, durations, grants and layers.
//!
//! Checked: no panic; an accepted policy survives its own TOML
//! ([`Policy::to_toml`], then [`Policy::from_toml`] gives the same policy);
//! every error can be shown.

use airlock::Policy;

pub fn policy_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Policy::from_toml(text) {
        Ok(policy) => {
            let written = policy.to_toml();
            let again = Policy::from_toml(&written)
                .unwrap_or_else(|e| panic!("a policy's own TOML does not parse: {e}\n{written}"));
            assert_eq!(
                again, policy,
                "the policy changed through its own TOML:\n{written}"
            );
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}
