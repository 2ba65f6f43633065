// `multicrop serve`: the web host (renderer + contract over WebSocket) on 127.0.0.1 with a token URL.
import { createNodeEngineClient } from '../../engine/engine-client-node';
import { resolveDataDir, runsDirOf } from '../../engine/roots/data-dir';
import { startWebHost } from '../../web-host/web-host';
import type { CliCommand } from '../cli-command';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the app to a browser tab on this machine (for headless machines use ssh -L PORT:127.0.0.1:PORT).',
  spec: {
    options: [
      { name: 'host', type: 'string', value: 'ADDR', help: 'Address to bind; keep 127.0.0.1 unless you know why', default: '127.0.0.1' },
      { name: 'port', type: 'number', value: 'N', help: 'Port (0 picks a free one)', default: 0 },
      { name: 'openSample', type: 'boolean', help: 'Generate the sample dataset and print a URL that opens it' },
    ],
  },
  async run(args) {
    const port = Number(args.options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`multicrop serve: --port ${args.options.port} must be a whole number from 0 to 65535\n`);
      return 2;
    }
    const engine = createNodeEngineClient({ mode: 'web', from: import.meta.url });
    if (args.options.openSample) {
      const r = await engine.call('dataset:openSample', {});
      if (!r.ok) process.stderr.write(`multicrop serve: the sample dataset could not be prepared: ${r.error.message}\n`);
      else if (!args.json) process.stdout.write(`Sample dataset: ${r.value}\n`);
    }
    // The engine inherits this environment, so it resolves the same data folder.
    const host = await startWebHost({ engine, host: String(args.options.host), port, runsDir: runsDirOf(resolveDataDir(process.env)) });
    // The renderer opens the sample dataset on load when the URL asks for it (App.vue).
    const url = args.options.openSample ? `${host.url}&open=sample` : host.url;
    if (args.json) process.stdout.write(JSON.stringify({ url, host: host.host, port: host.port }) + '\n');
    else process.stdout.write(`Multicrop Studio is serving at:\n\n    ${url}\n\nOpen it in a browser on this machine. Press Ctrl+C to stop.\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await host.close();
    await engine.dispose();
    return 0;
  },
};
