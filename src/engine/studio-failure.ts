// The engine's one error type: a failure meant for a person (what happened, to which file or setting, what to do), thrown by the model, loader, loop and handlers alike.
import type { ErrorCode } from '../shared/ipc-contract';

/** A failure meant for a person: what happened, to which file or setting, and what to do. */
export class StudioFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StudioFailure';
  }
}
