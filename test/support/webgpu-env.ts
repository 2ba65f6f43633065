// WebGPU for tests: points Dawn at SwiftShader (Debian's chromium package ships it) unless the environment already chose a driver; tests skip with a message where no adapter exists, and fail in CI.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** SwiftShader's Vulkan ICD from Debian's chromium package (.ci/run installs it). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Set before Dawn loads (the Vulkan loader reads them when Dawn creates its instance). The product never sets
 * these; a test may, to get a software adapter on a machine without a GPU.
 */
export function useSwiftShaderIfNoDriverChosen(): void {
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ||= mkdtempSync(join(tmpdir(), 'mc-xdg-'));
}

export const IN_CI = process.env.CI === 'true';

/** The message a skipped webgpu test prints, naming what would make it run. */
export function noAdapterMessage(why: string): string {
  return `no WebGPU adapter (${why}); install Debian's chromium package for SwiftShader (${SWIFTSHADER_ICD}) or run on a machine with a GPU driver: webgpu tests skipped`;
}
