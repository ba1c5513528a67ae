//! Key-exchange groups by name, for both engines: OpenSSL's names (what `get_groups()` gives
//! and `set_groups()` takes) and their TLS codepoints. Which of them a build has is the engine's
//! business; the names are policy, kept in one place.

use crate::result::UsslResult;

/// A group's TLS codepoint (RFC 8446's NamedGroup).
pub type GroupId = u16;

pub const X25519MLKEM768: GroupId = 0x11ec;
pub const X25519: GroupId = 0x001d;
pub const SECP256R1: GroupId = 0x0017;

/// The name we give each group, then the other names OpenSSL accepts for it.
const NAMES: &[(GroupId, &str, &[&str])] = &[
    (X25519MLKEM768, "X25519MLKEM768", &[]),
    (X25519, "X25519", &[]),
    (SECP256R1, "P-256", &["prime256v1", "secp256r1"]),
];

/// The name `get_groups()` and `SSLSocket.group()` give for `id`.
pub fn name_of(id: GroupId) -> Option<&'static str> {
    NAMES.iter().find(|(i, _, _)| *i == id).map(|(_, name, _)| *name)
}

fn id_of(name: &str) -> Option<GroupId> {
    NAMES
        .iter()
        .find(|(_, ours, others)| {
            ours.eq_ignore_ascii_case(name) || others.iter().any(|o| o.eq_ignore_ascii_case(name))
        })
        .map(|(id, _, _)| *id)
}

/// The groups `names` choose, in order, among those `built` has: as OpenSSL's list, a name
/// that starts with '?' is passed over when this build does not have it, any other unknown one
/// is UnknownGroup; a name given twice counts once; none left is UnknownGroup.
pub fn choose<'a, T: Copy>(
    names: impl IntoIterator<Item = &'a str>,
    built: impl Fn(GroupId) -> Option<T>,
    mut keep: impl FnMut(T) -> Result<(), UsslResult>,
) -> Result<usize, UsslResult> {
    let mut kept = 0;
    for name in names {
        let (optional, name) = match name.strip_prefix('?') {
            Some(rest) => (true, rest),
            None => (false, name),
        };
        match id_of(name).and_then(&built) {
            Some(group) => {
                keep(group)?;
                kept += 1;
            }
            None if optional => {}
            None => return Err(UsslResult::UnknownGroup),
        }
    }
    if kept == 0 {
        return Err(UsslResult::UnknownGroup);
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn pick(names: &[&str], built: &[GroupId]) -> Result<Vec<GroupId>, UsslResult> {
        let mut out = Vec::new();
        choose(
            names.iter().copied(),
            |id| built.contains(&id).then_some(id),
            |id| {
                if !out.contains(&id) {
                    out.push(id);
                }
                Ok(())
            },
        )?;
        Ok(out)
    }

    #[test]
    fn names_are_openssls_in_any_case_with_optional_ones_passed_over() {
        let all = [X25519MLKEM768, X25519, SECP256R1];
        assert_eq!(pick(&["x25519", "prime256v1"], &all), Ok(alloc::vec![X25519, SECP256R1]));
        assert_eq!(pick(&["?X25519MLKEM768", "P-256"], &[SECP256R1]), Ok(alloc::vec![SECP256R1]));
        assert_eq!(pick(&["X25519MLKEM768", "P-256"], &[SECP256R1]), Err(UsslResult::UnknownGroup));
        assert_eq!(pick(&["?X25519MLKEM768"], &[SECP256R1]), Err(UsslResult::UnknownGroup));
        assert_eq!(pick(&["P-384"], &all), Err(UsslResult::UnknownGroup));
        assert_eq!(pick(&[], &all), Err(UsslResult::UnknownGroup));
        assert_eq!(name_of(SECP256R1), Some("P-256"));
    }
}
