// Child process for select-backend.test.ts: starts the backend named on argv in a fresh process (the WebGPU probe is once per process) and prints its BackendInfo as one JSON line.
import { startBackend } from '../../../src/engine/backends/select-backend';
import type { BackendPreference } from '../../../src/engine/backends/backend-descriptor';

const info = await startBackend((process.argv[2] ?? 'auto') as BackendPreference);
process.stdout.write(JSON.stringify(info) + '\n');
