#!/bin/bash
# Makes build/crates/<name> for every patches/<name>-<version>.patch: the release Cargo.toml pins
# (`<name> = { version = "=<version>"`), from crates.io, checked against the checksum recorded
# beside the patch, with the patch applied. Cargo.toml's [patch.crates-io] points there. Fails,
# naming what to review, when a pin in Cargo.toml and its patch's version differ. Quick when the
# copies are already up to date.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

patch_one() {
    local name="$1" patch_file="$2"
    local pin patched out stamp want work crate
    pin="$(sed -n "s/^$name = { version = \"=\([0-9.]*\)\".*/\1/p" "$root/Cargo.toml")"
    patched="$(basename "$patch_file" .patch)"
    patched="${patched#"$name"-}"
    if [ "$pin" != "$patched" ]; then
        echo "$name is pinned to '$pin' in Cargo.toml, but patches/ holds the patch for $patched:" >&2
        echo "review the patch against $name $pin (patches/README.md) before moving the pin." >&2
        return 1
    fi
    out="$root/build/crates/$name"
    stamp="$out/.ussl-patch"
    want="$(cat "$root/patches/$name-$pin.crate.sha256") $(sha256sum < "$patch_file" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    work="$root/build/crates/.$name-download"
    rm -rf "$out" "$work"
    mkdir -p "$work"
    crate="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$pin".crate 2>/dev/null | head -n1 || true)"
    if [ -z "$crate" ]; then
        crate="$work/$name-$pin.crate"
        curl -sSfL --retry 3 -o "$crate" "https://static.crates.io/crates/$name/$name-$pin.crate"
    fi
    echo "$(cat "$root/patches/$name-$pin.crate.sha256")  $crate" | sha256sum --quiet -c - || {
        echo "$crate does not match patches/$name-$pin.crate.sha256" >&2
        return 1
    }
    tar -xzf "$crate" -C "$work"
    # git apply, not patch(1), which a bare machine may lack; the ceiling keeps git from taking
    # the copy for part of our own repository.
    (cd "$work/$name-$pin" && GIT_CEILING_DIRECTORIES="$work" git apply -p1 "$patch_file")
    mv "$work/$name-$pin" "$out"
    rm -rf "$work"
    echo "$want" > "$stamp"
    echo "build/crates/$name: $name $pin with patches/$name-$pin.patch" >&2
}

for patch_file in "$root"/patches/*.patch; do
    base="$(basename "$patch_file" .patch)"
    patch_one "${base%-*}" "$patch_file"
done
