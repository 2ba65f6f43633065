// Engine handlers for the dataset channels (filled in by the dataset module's owner).
import type { PartialHandlerTable } from './handler-types';

export const datasetHandlers: PartialHandlerTable = {};
