// Runs @doyensec/electronegativity over src/ and the build (out/), offline (its release check excluded), and fails on any finding not explained in test/main/electronegativity-allowlist.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ALLOWLIST = join(root, 'test/main/electronegativity-allowlist.json');
/** The one online check (it downloads Electron's release list); everything else runs offline. */
const ONLINE_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

/** Minimal RFC 4180 CSV parser (quoted fields, "" escapes, commas and newlines inside quotes). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

/**
 * electronegativity writes one finding per line but does not quote its code samples, so a stray quote in one
 * sample would swallow the lines after it (seen: 1 finding read instead of 7, depending on the order the checks
 * finished in). Parse line by line: a line that parses to the header's width as CSV is taken as is; otherwise its
 * first five fields (issue, severity, confidence, filename, location) and its last (url) are split off by commas
 * and the rest is sample and description.
 */
export function parseReport(text) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) return [];
  const header = parseCsv(lines[0])[0];
  const rows = lines.slice(1).map((line) => {
    const csv = parseCsv(line);
    if (csv.length === 1 && csv[0].length === header.length) return csv[0];
    const parts = line.split(',');
    const head = parts.slice(0, 5).map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
    const url = parts.length > 6 ? parts[parts.length - 1] : '';
    const middle = parts.slice(5, parts.length > 6 ? -1 : undefined).join(',');
    return [...head, middle, '', url].slice(0, header.length);
  });
  return [header, ...rows];
}

/** Findings of one electronegativity run over `input` (labelled `label`): {issue, severity, confidence, file, location, sample}. */
function scan(label, input, electronVersion, work) {
  const out = join(work, `${label}.csv`);
  const bin = join(root, 'node_modules/@doyensec/electronegativity/dist/index.js');
  // electronegativity sometimes writes its CSV rows over each other (seen: the first row cut to "ted in the target
  // application"); such a report has a row that is no check id, and the scan is run again (3 tries).
  for (let attempt = 1; ; attempt++) {
    rmSync(out, { force: true });
    const r = spawnSync(process.execPath, ['--require', join(root, 'scripts/electronegativity-offline.cjs'), bin, '-i', input, '-x', ONLINE_CHECKS.join(','), '-e', electronVersion, '-r', '-v', 'false', '-o', out], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, LANG: 'en-US' },
      timeout: 300_000,
    });
    if (r.status !== 0 || !existsSync(out)) {
      throw new Error(`electronegativity failed on ${input} (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').slice(-2000)}`);
    }
    const [header, ...rows] = parseReport(readFileSync(out, 'utf8'));
    const col = (name) => header.findIndex((h) => h.trim() === name);
    const findings = rows.map((f) => ({
      issue: (f[col('issue')] ?? '').trim(),
      severity: (f[col('severity')] ?? '').trim(),
      confidence: (f[col('confidence')] ?? '').trim(),
      file: `${label}/${(f[col('filename')] ?? '').trim()}`,
      location: (f[col('location')] ?? '').trim(),
      sample: (f[col('sample')] ?? '').trim().slice(0, 160),
    }));
    const corrupt = findings.filter((f) => !/^[A-Z0-9_]+_CHECK$/.test(f.issue));
    if (!corrupt.length) return findings;
    if (attempt >= 3) throw new Error(`electronegativity wrote a garbled report for ${input} three times (e.g. "${corrupt[0].issue.slice(0, 80)}")`);
  }
}

/** Scan `inputs` ([label, folder] pairs; default src/ and, when built, out/) and sort the findings by the allowlist. */
export function runElectronegativity(opts = {}) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const electronVersion = String(pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? '').replace(/^[^\d]*/, '');
  const allow = JSON.parse(readFileSync(opts.allowlist ?? ALLOWLIST, 'utf8')).findings;
  const work = mkdtempSync(join(tmpdir(), 'electronegativity-'));
  try {
    const inputs = opts.inputs ?? [['src', join(root, 'src')]];
    if (!opts.inputs && existsSync(join(root, 'out/main/index.js'))) inputs.push(['out', join(root, 'out')]);
    const findings = inputs.flatMap(([label, input]) => scan(label, input, electronVersion, work));
    const explained = [];
    const unexplained = [];
    for (const f of findings) {
      const why = allow.find((a) => a.issue === f.issue && a.file === f.file);
      if (why && typeof why.reason === 'string' && why.reason.trim().length >= 20) explained.push({ ...f, reason: why.reason });
      else unexplained.push(f);
    }
    const stale = allow.filter((a) => !findings.some((f) => f.issue === a.issue && f.file === a.file) && inputs.some(([label]) => a.file.startsWith(`${label}/`)));
    return { electronVersion, inputs: inputs.map(([l]) => l), findings: findings.length, explained, unexplained, stale };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const input = arg('--input'); // label=folder (tests); default: src and out
  const inputs = input ? [[input.slice(0, input.indexOf('=')), input.slice(input.indexOf('=') + 1)]] : undefined;
  const report = runElectronegativity({ inputs, allowlist: arg('--allowlist') });
  for (const f of report.explained) console.log(`explained  ${f.issue} ${f.file}:${f.location} - ${f.reason}`);
  for (const f of report.unexplained) console.log(`UNEXPLAINED ${f.severity} ${f.issue} ${f.file}:${f.location} ${f.sample}`);
  for (const a of report.stale) console.log(`note: allowlist entry no longer found (remove it): ${a.issue} ${a.file}`);
  console.log(
    `electronegativity (Electron ${report.electronVersion}, over ${report.inputs.join(' and ')}, online check excluded): ${report.findings} findings, ${report.explained.length} explained, ${report.unexplained.length} unexplained`,
  );
  if (report.unexplained.length) console.log(`Fix them, or explain each in ${ALLOWLIST} with its reason.`);
  if (arg('--json')) writeFileSync(arg('--json'), JSON.stringify(report, null, 2));
  process.exit(report.unexplained.length ? 1 : 0);
}
