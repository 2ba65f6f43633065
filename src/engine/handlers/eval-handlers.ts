// Engine handlers for the eval channels (filled in by the eval module's owner).
import type { PartialHandlerTable } from './handler-types';

export const evalHandlers: PartialHandlerTable = {};
