#!/usr/bin/env bash
# Fetches and unpacks one Debian source package (pinned version, orig tarball's sha256 checked).
# The archive address comes from the machine's own apt configuration, so a user's mirror keeps
# working; a private sources list leaves the machine's apt setup untouched.
# Usage: fetch-debian-source.sh PACKAGE VERSION SUITE ORIG_SHA256 DEST_DIR
set -euo pipefail
pkg=${1:?package} version=${2:?version} suite=${3:?suite} orig_sha256=${4:?sha256} dest=${5:?dest}

if [ -f "$dest/.fetched-$version" ]; then exit 0; fi

need=()
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
command -v xz >/dev/null || need+=(xz-utils)
if [ ${#need[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}"
fi

uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [ -z "$uri" ]; then
  uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
fi
[ -n "$uri" ] || { echo "fetch-debian-source: no Debian archive address in the apt configuration" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/lists/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" > "$work/apt/sources.list"
opts=(-o "Dir::Etc::sourcelist=$work/apt/sources.list" -o Dir::Etc::sourceparts=/nonexistent
      -o "Dir::State::Lists=$work/apt/lists" -o Debug::NoLocking=1)
apt-get "${opts[@]}" update -qq
(cd "$work" && apt-get "${opts[@]}" source --download-only "$pkg=$version" >/dev/null 2>&1)
orig=$(ls "$work"/${pkg}_*.orig.tar.*)
echo "$orig_sha256  $orig" | sha256sum -c --quiet
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
(cd "$work" && dpkg-source -x "${pkg}_$version.dsc" tree >/dev/null 2>&1)
mv "$work/tree" "$dest"
touch "$dest/.fetched-$version"
echo "fetch-debian-source: $pkg $version in $dest"
