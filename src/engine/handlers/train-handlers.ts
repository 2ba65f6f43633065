// Engine handlers for the train channels (filled in by the train module's owner).
import type { PartialHandlerTable } from './handler-types';

export const trainHandlers: PartialHandlerTable = {};
