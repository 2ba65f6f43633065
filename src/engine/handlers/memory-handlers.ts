// Engine handlers for the memory channels: 'memory:estimate' runs the memory model on a configuration for the backend it would use.
import { systemAvailableMb } from '../memory/available-memory';
import { estimateMemory } from '../memory/estimate-memory';
import { resolveMemoryBackend } from '../memory/resolve-memory-backend';
import type { PartialHandlerTable } from './handler-types';

export const memoryHandlers: PartialHandlerTable = {
  'memory:estimate': async (req) =>
    estimateMemory(req.config, { backend: resolveMemoryBackend(req.config.backend), systemAvailableMb: systemAvailableMb() }),
};
