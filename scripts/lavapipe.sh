#!/usr/bin/env bash
# Unpacks Mesa 25's lavapipe (Vulkan on the CPU, with shader-f16) from Debian bookworm-backports into .cache/lavapipe,
# without installing it system-wide, and prints the ICD file to point VK_ICD_FILENAMES at. Dawn rejects bookworm's own
# Mesa 22.3; SwiftShader (from the chromium package) has no shader-f16, so the f16 kernels are tested on lavapipe.
# The mirror is the one this machine's apt already uses. Runtime libraries come from `mesa-vulkan-drivers` (22.3),
# which .ci/run installs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/lavapipe"
icd="$dir/lvp_icd.json"
if [ -f "$icd" ]; then echo "$icd"; exit 0; fi
mkdir -p "$dir/apt/parts" "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/dl"
uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
cat > "$dir/apt/parts/backports.sources" <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$dir/apt/parts" -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache")
apt-get "${opts[@]}" -qq update >&2
(cd "$dir/dl" && apt-get "${opts[@]}" -qq download mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports >&2)
for deb in "$dir"/dl/*.deb; do dpkg -x "$deb" "$dir/mesa"; done
lib="$dir/mesa/usr/lib/x86_64-linux-gnu"
[ -f "$lib/libvulkan_lvp.so" ] || { echo "lavapipe: libvulkan_lvp.so missing after unpacking" >&2; exit 1; }
printf '{"file_format_version":"1.0.1","ICD":{"api_version":"1.3.0","library_path":"%s/libvulkan_lvp.so"}}\n' "$lib" > "$icd"
echo "$icd"
