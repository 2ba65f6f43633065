// What evaluation and export errors become for a person: a StudioFailure with the code that says what kind of problem it is.
import { StudioFailure } from '../studio-failure';
import { RunExportError } from '../io/run-export';
import { WeightsImportError } from '../io/weights-import';
import { EvalSourceError } from './eval-model';

/** The StudioFailure an evaluation or export error stands for (a StudioFailure stays as it is). */
export function asStudioFailure(e: unknown): StudioFailure {
  if (e instanceof StudioFailure) return e;
  if (e instanceof EvalSourceError || e instanceof RunExportError) return new StudioFailure(e.kind, e.message);
  if (e instanceof WeightsImportError) return new StudioFailure('bad_input', e.message);
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return new StudioFailure('not_found', `${err.message}; check the path`);
  if (err.code === 'EACCES' || err.code === 'EPERM') return new StudioFailure('forbidden', `${err.message}; check the permissions`);
  return new StudioFailure('bad_input', err instanceof Error ? err.message : String(e));
}
