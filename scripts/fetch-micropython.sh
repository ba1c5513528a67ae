#!/usr/bin/env bash
# Fetches MicroPython's source from Debian's source package (pinned version, sha256 checked) into $1.
# The archive address comes from the machine's own apt configuration, so a user's mirror keeps working.
set -euo pipefail
dest=${1:?usage: fetch-micropython.sh DEST_DIR}
version=1.25.0+ds-1
orig_sha256=7b25be99a502f070b2de81dafc08da7051d992325d6e67daa9045a918fffdbea

if [ -f "$dest/.fetched-$version" ]; then exit 0; fi

need=()
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
command -v xz >/dev/null || need+=(xz-utils)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [ -z "$uri" ]; then
  uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
fi
[ -n "$uri" ] || { echo "fetch-micropython: no Debian archive address in the apt configuration" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/lists/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" > "$work/apt/sources.list"
opts=(-o "Dir::Etc::sourcelist=$work/apt/sources.list" -o Dir::Etc::sourceparts=/nonexistent
      -o "Dir::State::Lists=$work/apt/lists" -o Debug::NoLocking=1)
apt-get "${opts[@]}" update -qq
(cd "$work" && apt-get "${opts[@]}" source --download-only "micropython=$version")
orig=$(ls "$work"/micropython_*.orig.tar.xz)
echo "$orig_sha256  $orig" | sha256sum -c --quiet
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
(cd "$work" && dpkg-source -x "micropython_$version.dsc" tree >/dev/null)
mv "$work/tree" "$dest"
touch "$dest/.fetched-$version"
echo "fetch-micropython: MicroPython $version in $dest"
