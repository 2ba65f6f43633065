// scripts/electronegativity.mjs: an insecure window is reported as unexplained (failing the step), an allowlisted finding with a reason is not, and the tool runs offline.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport } from '../../scripts/electronegativity.mjs';
import { REPO_ROOT } from '../support/shared-fixtures';

interface Finding {
  issue: string;
  file: string;
}
interface Report {
  findings: number;
  explained: Finding[];
  unexplained: Finding[];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'electronegativity-test-'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(
    join(dir, 'app', 'main.js'),
    [
      "const { app, BrowserWindow } = require('electron');",
      'app.whenReady().then(() => {',
      "  const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });",
      "  win.loadURL('http://example.com/');",
      '});',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(allowlist: object): { status: number | null; report: Report; stdout: string } {
  const allowFile = join(dir, 'allow.json');
  const jsonFile = join(dir, 'report.json');
  writeFileSync(allowFile, JSON.stringify(allowlist));
  const r = spawnSync(process.execPath, ['scripts/electronegativity.mjs', '--input', `fixture=${join(dir, 'app')}`, '--allowlist', allowFile, '--json', jsonFile], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, report: JSON.parse(readFileSync(jsonFile, 'utf8')) as Report, stdout: r.stdout };
}

describe('the electronegativity step', () => {
  it('reads a report line by line, so a garbled row (electronegativity overwrites rows at times) stays on its own line', () => {
    const text = [
      'issue, severity, confidence, filename, location, sample, description, url',
      'ted in the target application",https://github.com/doyensec/electronegativity/wiki/CSP_GLOBAL_CHECK',
      'SANDBOX_JS_CHECK,"MEDIUM","FIRM","main.js","3:100","new BrowserWindow({ a: 1, b: "x" })","Use sandbox",https://example.org/wiki',
      'HTTP_RESOURCES_JS_CHECK,"MEDIUM","CERTAIN","main.js","4:2","win.loadURL(\'http://example.com/\');","Do not allow insecure HTTP connections",https://example.org/w',
    ].join('\n');
    const [header, ...rows] = parseReport(text);
    expect(header).toHaveLength(8);
    expect(rows.map((r) => r[0])).toEqual(['ted in the target application"', 'SANDBOX_JS_CHECK', 'HTTP_RESOURCES_JS_CHECK']);
    expect(rows[1]![3]).toBe('main.js');
    expect(rows[2]![4]).toBe('4:2');
  });

  it('fails on an insecure window that nobody explained', () => {
    const { status, report, stdout } = run({ findings: [] });
    expect(status).toBe(1);
    const issues = report.unexplained.map((f) => f.issue);
    for (const check of ['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'HTTP_RESOURCES_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK', 'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK']) {
      expect(issues).toContain(check);
    }
    expect(stdout).toMatch(/online check excluded/);
  });
  it('passes once every finding is explained with a reason, and not with an empty reason', () => {
    const first = run({ findings: [] }).report.unexplained;
    const reason = 'fixture: deliberately insecure window used to test the allowlist';
    const all = run({ findings: first.map((f) => ({ issue: f.issue, file: f.file, reason })) });
    expect(all.status).toBe(0);
    expect(all.report.unexplained).toEqual([]);
    expect(all.report.explained.length).toBe(first.length);
    const lazy = run({ findings: first.map((f) => ({ issue: f.issue, file: f.file, reason: '' })) });
    expect(lazy.status).toBe(1);
  });
});
