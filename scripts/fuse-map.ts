// The Electron fuses Multicrop Studio flips at packaging, each with its reason (applied by scripts/flip-fuses.ts, checked by test/main/electron-checklist.test.ts).
import { FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';

export interface FuseChoice {
  value: boolean;
  reason: string;
}

/** Every V1 fuse, decided explicitly (strictlyRequireAllFuses makes a fuse added by a newer Electron fail packaging until it is decided here). */
export const FUSE_CHOICES: Record<keyof typeof FuseV1Options, FuseChoice> = {
  RunAsNode: { value: false, reason: 'ELECTRON_RUN_AS_NODE would turn the signed app into a plain Node interpreter; the engine uses utilityProcess, not run-as-node' },
  EnableCookieEncryption: { value: true, reason: 'cookies on disk are encrypted with the OS keychain' },
  EnableNodeOptionsEnvironmentVariable: { value: false, reason: 'NODE_OPTIONS could inject --require code into the main process' },
  EnableNodeCliInspectArguments: { value: false, reason: '--inspect would open a debugger on the main process' },
  EnableEmbeddedAsarIntegrityValidation: { value: true, reason: 'the packaged app.asar is checked against its embedded hash (macOS/Windows)' },
  OnlyLoadAppFromAsar: { value: true, reason: 'the app code is loaded only from app.asar, not from a planted app/ folder beside it' },
  LoadBrowserProcessSpecificV8Snapshot: { value: false, reason: 'no custom browser-process snapshot is shipped' },
  GrantFileProtocolExtraPrivileges: {
    value: true,
    reason: 'the window loads out/renderer/index.html from file:// and its ES-module scripts need the file protocol privileges; everything else is confined by the CSP and navigation guard',
  },
  WasmTrapHandlers: { value: true, reason: 'faster WebAssembly bounds checks (the tfjs wasm backend); no security cost' },
};

export function fuseConfig(): FuseV1Config {
  const config: Record<string, unknown> = { version: FuseVersion.V1, strictlyRequireAllFuses: true };
  for (const [name, choice] of Object.entries(FUSE_CHOICES)) config[FuseV1Options[name as keyof typeof FuseV1Options]] = choice.value;
  return config as FuseV1Config;
}
