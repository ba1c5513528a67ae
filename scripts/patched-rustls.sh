#!/bin/bash
# Makes build/crates/rustls: the rustls release Cargo.toml pins, from crates.io (checked against
# the checksum recorded beside the patch), with patches/rustls-<version>.patch applied.
# Cargo.toml's [patch.crates-io] points there. Fails, naming what to review, when the pin in
# Cargo.toml and the patch's version differ. Quick when the copy is already up to date.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pin="$(sed -n 's/^rustls = { version = "=\([0-9.]*\)".*/\1/p' "$root/Cargo.toml")"
patch_file="$(ls "$root"/patches/rustls-*.patch)"
patched="$(basename "$patch_file" .patch)"
patched="${patched#rustls-}"
if [ "$pin" != "$patched" ]; then
    echo "rustls is pinned to $pin in Cargo.toml, but patches/ holds the patch for $patched:" >&2
    echo "review the patch against rustls $pin (patches/README.md) before moving the pin." >&2
    exit 1
fi
out="$root/build/crates/rustls"
stamp="$out/.ussl-patch"
want="$(cat "$root/patches/rustls-$pin.crate.sha256") $(sha256sum < "$patch_file" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
work="$root/build/crates/.rustls-download"
rm -rf "$out" "$work"
mkdir -p "$work"
crate="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/rustls-"$pin".crate 2>/dev/null | head -n1 || true)"
if [ -z "$crate" ]; then
    crate="$work/rustls-$pin.crate"
    curl -sSfL --retry 3 -o "$crate" "https://static.crates.io/crates/rustls/rustls-$pin.crate"
fi
echo "$(cat "$root/patches/rustls-$pin.crate.sha256")  $crate" | sha256sum --quiet -c - || {
    echo "$crate does not match patches/rustls-$pin.crate.sha256" >&2
    exit 1
}
tar -xzf "$crate" -C "$work"
# git apply, not patch(1), which a bare machine may lack; the ceiling keeps git from taking the
# copy for part of our own repository.
(cd "$work/rustls-$pin" && GIT_CEILING_DIRECTORIES="$work" git apply -p1 "$patch_file")
mv "$work/rustls-$pin" "$out"
rm -rf "$work"
echo "$want" > "$stamp"
echo "build/crates/rustls: rustls $pin with patches/rustls-$pin.patch" >&2
