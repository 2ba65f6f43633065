// The engine's one handler table: the per-domain tables merged (a channel nobody handles yet answers `unsupported`).
import type { PartialHandlerTable } from './handler-types';
import { appHandlers } from './app-handlers';
import { datasetHandlers } from './dataset-handlers';
import { folderHandlers } from './folder-handlers';
import { augmentHandlers } from './augment-handlers';
import { trainHandlers } from './train-handlers';
import { evalHandlers } from './eval-handlers';
import { memoryHandlers } from './memory-handlers';
import { probeHandlers } from './probe-handlers';

const domains: Record<string, PartialHandlerTable> = {
  app: appHandlers,
  dataset: datasetHandlers,
  folders: folderHandlers,
  augment: augmentHandlers,
  train: trainHandlers,
  eval: evalHandlers,
  memory: memoryHandlers,
  probe: probeHandlers,
};

/** Merge the domain tables; two domains claiming one channel is a programming error caught at engine start. */
export function mergeHandlerTables(tables: Record<string, PartialHandlerTable>): PartialHandlerTable {
  const merged: Record<string, unknown> = {};
  const owner: Record<string, string> = {};
  for (const [domain, table] of Object.entries(tables)) {
    for (const [channel, handler] of Object.entries(table)) {
      if (handler === undefined) continue;
      if (owner[channel]) throw new Error(`Channel ${channel} is handled by both ${owner[channel]} and ${domain} handler tables; keep one`);
      owner[channel] = domain;
      merged[channel] = handler;
    }
  }
  return merged as PartialHandlerTable;
}

export const handlerTable: PartialHandlerTable = mergeHandlerTables(domains);
