// `multicrop sample`: generate (once) the built-in sample dataset in the data folder and print its path.
import { createNodeEngineClient } from '../../engine/engine-client-node';
import type { ProgressEvent } from '../../shared/ipc-contract';
import { output, type CliCommand } from '../cli-command';

export const sampleCommand: CliCommand = {
  name: 'sample',
  summary: 'Generate the built-in sample dataset (labelled shapes, ImageFolder layout) and print its folder.',
  spec: {},
  async run(args) {
    const engine = createNodeEngineClient({ mode: 'web', from: import.meta.url });
    try {
      if (!args.json && process.stderr.isTTY) {
        engine.onEvent((event, payload) => {
          if (event !== 'progress') return;
          const p = payload as ProgressEvent;
          process.stderr.write(`\r${p.label}: ${p.done}/${p.total ?? '?'}`);
          if (p.done === p.total) process.stderr.write('\n');
        });
      }
      const r = await engine.call('dataset:openSample', {});
      if (!r.ok) {
        process.stderr.write(`multicrop sample: ${r.error.message}\n`);
        return 1;
      }
      output(args, { path: r.value }, () => r.value);
      return 0;
    } finally {
      await engine.dispose();
    }
  },
};
