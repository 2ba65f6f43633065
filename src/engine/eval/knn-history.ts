// Keeps each k-NN result of a run in its history and finds (or computes once) the step-0 baseline of the same protocol.
import type { EvaluationRecord } from '../../shared/ipc-contract';
import { CheckpointStore, checkpointName } from '../train/checkpoint-store';
import { appendEvaluation, findBaseline, readEvaluations, stepOfCheckpoint } from './eval-history';
import type { EvalModel } from './eval-model';
import type { KnnEvalResult } from './knn-eval';

export interface KnnProtocol {
  trainDir: string;
  valDir: string;
  k: number;
}

type RunSource = { runId: string; checkpoint?: string } | { runId: string; initial: true };

/** The step of what was evaluated: its checkpoint's, or 0 for the rebuilt initial weights. */
function stepOf(model: EvalModel): number {
  return model.checkpoint === null ? 0 : (stepOfCheckpoint(model.checkpoint) ?? 0);
}

export async function keepEvaluation(runDir: string, model: EvalModel, r: KnnEvalResult, protocol: KnnProtocol): Promise<EvaluationRecord> {
  const rec: EvaluationRecord = {
    time: Date.now(),
    step: stepOf(model),
    checkpoint: model.checkpoint ?? 'initial weights',
    k: protocol.k,
    top1: r.top1,
    top5: r.top5,
    train: r.train,
    val: r.val,
    trainDir: protocol.trainDir,
    valDir: protocol.valDir,
    perClass: r.perClass,
  };
  await appendEvaluation(runDir, rec);
  return rec;
}

/**
 * The step-0 result for the same folders and k: the kept one, else evaluated now on the step-0 checkpoint, else on
 * the initial weights rebuilt from the run's config and seed (checkpoint pruning keeps step 0, but a copied or
 * trimmed run may lack it). The computed baseline is kept too, so it is computed once per protocol.
 */
export async function knnBaseline(
  runDir: string,
  evaluated: EvaluationRecord,
  protocol: KnnProtocol,
  evaluate: (m: EvalModel) => Promise<KnnEvalResult>,
  load: (source: RunSource) => Promise<EvalModel>,
): Promise<EvaluationRecord> {
  if (evaluated.step === 0) return evaluated;
  const kept = findBaseline(await readEvaluations(runDir), protocol);
  if (kept) return kept;
  const runId = runDir.split(/[\\/]/).filter(Boolean).pop()!;
  const step0 = checkpointName(0);
  const has0 = (await new CheckpointStore(runDir).names()).includes(step0);
  const model = await load(has0 ? { runId, checkpoint: step0 } : { runId, initial: true });
  return keepEvaluation(runDir, model, await evaluate(model), protocol);
}
