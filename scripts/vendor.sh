#!/usr/bin/env bash
# Copy the front-end libraries from node_modules (installed by `npm ci`) into static files.
set -euo pipefail
cd "$(dirname "$0")/.."
out=kinetz/static/vendor
rm -rf "$out"
mkdir -p "$out/kern/fonts" "$out/htmx" "$out/leaflet" "$out/axe-core" "$out/cytoscape"
kern=node_modules/@kern-ux/native
cp "$kern/dist/kern.min.css" "$kern/LICENSE.md" "$out/kern/"
cp "$kern/dist/fonts/fira-sans.css" "$out/kern/fonts/"
mkdir -p "$out/kern/fonts/fira-sans"
# only the faces the stylesheet refers to
grep -o 'fira-sans/[A-Za-z-]*\.woff2' "$kern/dist/fonts/fira-sans.css" | sort -u | while read -r face; do
  cp "$kern/dist/fonts/$face" "$out/kern/fonts/fira-sans/"
done
cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE "$out/htmx/"
cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
      node_modules/leaflet/dist/images node_modules/leaflet/LICENSE "$out/leaflet/"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE "$out/axe-core/"
cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/cytoscape/LICENSE "$out/cytoscape/"
for pkg in @kern-ux/native htmx.org leaflet axe-core cytoscape; do
  printf '%s %s\n' "$pkg" "$(node -p "require('./node_modules/$pkg/package.json').version")"
done > "$out/VERSIONS"
echo "vendored into $out:"; cat "$out/VERSIONS"
