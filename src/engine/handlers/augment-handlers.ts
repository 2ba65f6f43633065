// Engine handlers for the augment channels (filled in by the augment module's owner).
import type { PartialHandlerTable } from './handler-types';

export const augmentHandlers: PartialHandlerTable = {};
