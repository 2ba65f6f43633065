// Engine handlers for the memory channels (filled in by the memory module's owner).
import type { PartialHandlerTable } from './handler-types';

export const memoryHandlers: PartialHandlerTable = {};
