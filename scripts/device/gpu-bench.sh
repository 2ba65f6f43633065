#!/usr/bin/env bash
# Device check entry: unpacks .device-pack (made by scripts/device/pack-gpu-bench.mjs), brings the Vulkan loader if the machine has none, and prints one JSON line (bench-train --backend webgpu beside PyTorch CUDA fp32 and --amp).
# On the device:  bash .device-pack/gpu-bench.sh            Here, on SwiftShader:  MC_UNPACK=$(mktemp -d) MC_NO_DEBS=1 bash .device-pack/gpu-bench.sh --tiny
set -euo pipefail
pack="$(cd "$(dirname "$0")" && pwd)"
dest="${MC_UNPACK:-/tmp/mc-gpu-bench}"
mkdir -p "$dest"
tar -xJf "$pack/gpu-bench.tar.xz" -C "$dest"
if [ -z "${MC_NO_DEBS:-}" ] && ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  # The device machine's README: unpack the loader .debs into / and refresh the linker cache (root there).
  for f in "$pack"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
# NVIDIA's ICD where the container has it and nothing else was chosen (a test harness choice; the product never sets these).
nv=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nv" ]; then export VK_DRIVER_FILES="$nv"; fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
exec "$dest/mc/node" "$dest/mc/gpu-bench-run.mjs" "$@"
