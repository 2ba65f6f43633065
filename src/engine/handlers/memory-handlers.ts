// Engine handlers for the memory channels: 'memory:estimate' runs the memory model on a configuration for the backend it would use.
import { predictBackend } from '../backends/select-backend';
import { systemAvailableMb } from '../memory/available-memory';
import { estimateMemory } from '../memory/estimate-memory';
import type { PartialHandlerTable } from './handler-types';

export const memoryHandlers: PartialHandlerTable = {
  'memory:estimate': async (req) => {
    const { name, adapter } = await predictBackend(req.config.backend);
    return estimateMemory(req.config, { backend: name, adapter, systemAvailableMb: systemAvailableMb() });
  },
};
