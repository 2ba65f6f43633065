// `npm start`: build when out/ is missing or older than the sources, generate the sample dataset, then open the desktop app, or serve it to a browser when that is impossible.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStaleReason } from './build-freshness.mjs';
import { displayAvailable, electronBinary } from './electron-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const cli = join(root, 'out/main/cli.js');

const stale = buildStaleReason(root);
if (stale) {
  console.log(`Building the app (${stale})...`);
  const r = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('The build failed (see above); fix it and run "npm start" again.');
    process.exit(r.status ?? 1);
  }
}

const sample = spawnSync(process.execPath, [cli, 'sample'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (sample.status !== 0) {
  console.error('The sample dataset could not be generated (see above).');
  process.exit(sample.status ?? 1);
}
console.log(`Sample dataset: ${sample.stdout.trim()}`);

const electron = electronBinary();
const display = displayAvailable();
const extra = process.argv.slice(2);
if (electron.path && display.ok) {
  const child = spawn(electron.path, [root, ...extra], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const why = electron.path ? display.reason : electron.reason;
  console.log(`Not opening the desktop window: ${why}.`);
  console.log('Serving the same app to a browser instead (open the URL below; over SSH forward the port with ssh -L PORT:127.0.0.1:PORT).');
  const child = spawn(process.execPath, [cli, 'serve', '--open-sample', ...extra], { cwd: root, stdio: 'inherit' });
  const stop = (sig) => child.kill(sig);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
