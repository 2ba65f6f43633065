// The DINO student/teacher pair on tfjs: multi-crop forward, DINO loss, per-parameter clipping, AdamW, EMA teacher, center.
import * as tf from '../tf/tfjs';
import type { StudioConfig } from '../../shared/config-schema';
import { StudioFailure } from '../studio-failure';
import type { Batch } from '../loader/batch-types';
import { headForward, headSpecs, type HeadConfig } from '../model/dino-head';
import { initParams } from '../model/init';
import { assignFromHost, disposeParams, paramsFromHost, paramsToHost, readParamsToHost } from '../model/param-store';
import { fromHost, toHost, type ParamSpec } from '../model/param-spec';
import { vitConfig, vitForward, vitSpecs, type ImageBatch, type Params, type VitConfig, type VitOutput } from '../model/vit';
import { STUDENT_BLOCK } from '../memory/activation-model';
import type { AttentionMode } from '../model/attention';
import { activeBackend } from '../backends/backend-registry';
import { adamwUpdate, createSlot, type AdamSlot } from './adamw';
import { clipGradient } from './clip-gradients';
import { dinoLoss, updatedCenter } from './dino-loss';
import { splitBatch } from './split-batch';
import type { DinoState, NamedTensors, StepSchedule, StepStats } from './step-types';

/** Gradient sums (weighted by each micro-batch's share of the update) and statistics' partial sums, as tensors. */
export interface Partials {
  grads: Record<string, tf.Tensor>;
  loss: tf.Tensor;
  entropy: tf.Tensor;
  probSum: tf.Tensor;
  teacherSum: tf.Tensor;
}

export interface DinoSystemOptions {
  /** Seed of the parameter initialisation (defaults to config.seed). */
  seed?: number;
  /** Start from these parameters (official names, PyTorch shapes; e.g. an imported backbone) instead of a random init. */
  initial?: NamedTensors;
  /** Attention layout (default: the running backend's, from its descriptor). */
  attention?: AttentionMode;
}

/** The model-side configuration derived from the flat StudioConfig. */
export function modelConfigs(c: StudioConfig): { vit: VitConfig; head: HeadConfig } {
  const vit = vitConfig(c.arch, c.patchSize, c.depth, 224);
  const head: HeadConfig = {
    inDim: vit.embedDim,
    hiddenDim: c.headHiddenDim,
    bottleneckDim: c.headBottleneckDim,
    outDim: c.outDim,
    normLastLayer: c.normLastLayer,
  };
  return { vit, head };
}

const isLastLayer = (name: string) => name.includes('last_layer');

function entropyOf(p: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-30))))) as tf.Scalar);
}

/**
 * Student and teacher (same architecture, teacher = EMA of student, never trained by gradients), AdamW slots and the
 * loss center. step() performs one optimizer update from one or more micro-batches (gradient accumulation: the
 * update equals that of one batch holding all their images).
 */
export class DinoSystem {
  readonly vit: VitConfig;
  readonly head: HeadConfig;
  /** Backbone then head ('head.*') specs, official names and PyTorch shapes. */
  readonly specs: ParamSpec[];
  readonly student: Params;
  readonly teacher: Params;
  private readonly slots = new Map<string, AdamSlot>();
  private readonly varToName = new Map<string, string>();
  private center: tf.Variable;
  /** Optimizer updates applied so far. */
  optimizerStep = 0;
  /** Activation memory one forward + backward pass may use; larger batches are processed in equal chunks (the backend's memory model). */
  activationBudgetBytes: number;

  constructor(
    readonly config: StudioConfig,
    opts: DinoSystemOptions = {},
  ) {
    const { vit, head } = modelConfigs(config);
    const backend = activeBackend();
    this.vit = { ...vit, attention: opts.attention ?? backend.attention };
    this.activationBudgetBytes = backend.memory.activationBudgetBytes;
    this.head = head;
    this.specs = [...vitSpecs(vit), ...headSpecs(head, 'head.')];
    const host = opts.initial ?? initParams(this.specs, opts.seed ?? config.seed);
    this.student = paramsFromHost(this.specs, host, true, 'initial parameters');
    this.teacher = paramsFromHost(this.specs, host, true, 'initial parameters');
    for (const s of this.specs) {
      const v = this.student.get(s.name) as tf.Variable;
      this.varToName.set(v.name, s.name);
      if (s.trainable) this.slots.set(s.name, createSlot(s.internalShape));
    }
    this.center = tf.variable(tf.zeros([1, head.outDim]), false);
  }

  /** CLS features (after the final norm) and optionally the last block's CLS attention, from the teacher or student backbone. */
  features(images: ImageBatch, opts: { network?: 'teacher' | 'student'; attention?: boolean } = {}): VitOutput {
    return vitForward(opts.network === 'student' ? this.student : this.teacher, this.vit, images, opts);
  }

  /** Multi-crop forward: one backbone pass per resolution group (view-major), one head pass over all views. */
  private multiCrop(p: Params, batch: Batch, groups: number): tf.Tensor2D {
    const feats = batch.groups.slice(0, groups).map(
      (g) => vitForward(p, this.vit, { data: g.data, n: g.views * batch.batchSize, h: g.size, w: g.size }).cls,
    );
    return headForward(p, feats.length === 1 ? feats[0]! : (tf.concat(feats, 0) as tf.Tensor2D), 'head.');
  }

  /**
   * Split a batch into equal micro-batches small enough that one forward + backward pass keeps its activations
   * under `activationBudgetBytes` (the wasm heap is at most 4 GiB; other backends: no limit); the update is unchanged (see accumulate).
   */
  private memoryChunks(b: Batch): Batch[] {
    const d = this.vit.embedDim;
    const perImage = b.groups.reduce((acc, g) => {
      const t = (g.size / this.vit.patchSize) ** 2 + 1;
      return acc + g.views * t * (STUDENT_BLOCK.tok * d + STUDENT_BLOCK.att * this.vit.heads * t) * 4 * this.vit.depth;
    }, 0);
    const fit = Math.max(1, Math.floor(this.activationBudgetBytes / perImage));
    if (fit >= b.batchSize) return [b];
    let parts = Math.ceil(b.batchSize / fit);
    while (b.batchSize % parts !== 0) parts++;
    return splitBatch(b, parts);
  }

  /**
   * Forward + backward over `batches` (all of one update, or this process's share of it): gradients summed with
   * weight batchSize/totalImages, and the statistics' partial sums. Nothing is applied yet.
   */
  accumulate(batchesIn: Batch[], sched: StepSchedule, totalImages: number): Partials {
    let batches = batchesIn;
    if (batches.length === 0) throw new StudioFailure('invalid_request', 'DINO step called without any batch');
    const views = batches[0]!.groups.reduce((a, g) => a + g.views, 0);
    if (batches[0]!.groups[0]!.views !== 2) {
      throw new StudioFailure('bad_input', `the first resolution group must hold the 2 global views, got ${batches[0]!.groups[0]!.views}`);
    }
    const varList = this.specs
      .filter((s) => s.trainable && !(sched.freezeLastLayer && isLastLayer(s.name)))
      .map((s) => this.student.get(s.name) as tf.Variable);
    batches = batches.flatMap((b) => this.memoryChunks(b));
    let gradSum: Record<string, tf.Tensor> | null = null;
    let lossAcc: tf.Tensor = tf.scalar(0);
    let entAcc: tf.Tensor = tf.scalar(0);
    let qAcc: tf.Tensor = tf.zeros([this.head.outDim]);
    let tAcc: tf.Tensor = tf.zeros([this.head.outDim]);
    for (const b of batches) {
      const w = b.batchSize / totalImages;
      const teacherOut = tf.tidy(() => this.multiCrop(this.teacher, b, 1));
      let kept: { ent: tf.Scalar; q: tf.Tensor1D } | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const s = this.multiCrop(this.student, b, b.groups.length);
        const parts = dinoLoss(s, teacherOut, this.center, views, this.config.studentTemp, sched.teacherTemp);
        kept = { ent: tf.keep(parts.teacherEntropy), q: tf.keep(parts.teacherProbSum) };
        return parts.loss;
      }, varList);
      const k = kept as unknown as { ent: tf.Scalar; q: tf.Tensor1D };
      const prev: Record<string, tf.Tensor> | null = gradSum;
      const next: Record<string, tf.Tensor> = {};
      for (const [vn, g] of Object.entries(grads)) {
        const name = this.varToName.get(vn)!;
        next[name] = tf.tidy(() => (prev ? tf.add(prev[name]!, tf.mul(g, w)) : w === 1 ? g.clone() : tf.mul(g, w)));
      }
      const accs = tf.tidy(() => [
        tf.add(lossAcc, tf.mul(value, w)),
        tf.add(entAcc, tf.mul(k.ent, w)),
        tf.add(qAcc, k.q),
        tf.add(tAcc, tf.sum(teacherOut, 0)),
      ]);
      tf.dispose([lossAcc, entAcc, qAcc, tAcc, value, k.ent, k.q, teacherOut, ...Object.values(grads)]);
      if (prev) tf.dispose(Object.values(prev));
      [lossAcc, entAcc, qAcc, tAcc] = accs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      gradSum = next;
    }
    return { grads: gradSum!, loss: lossAcc, entropy: entAcc, probSum: qAcc, teacherSum: tAcc };
  }

  /** Apply one update from accumulated partials (this process's, plus any added from other workers); disposes them. */
  async finish(p: Partials, sched: StepSchedule, totalImages: number): Promise<StepStats> {
    const grads = p.grads;
    const m = this.config.centerMomentum;
    // The golden-tested update (dino-math-golden.test.ts), over the 2 global views of every image of the step.
    const newCenter = updatedCenter(this.center, p.teacherSum, 2 * totalImages, m);
    const readings = tf.tidy(() =>
      tf.stack([
        tf.reshape(p.loss, []),
        tf.reshape(p.entropy, []),
        entropyOf(tf.div(p.probSum, 2 * totalImages) as tf.Tensor1D),
        tf.sqrt(tf.sum(tf.square(newCenter))),
      ]),
    );
    const [loss, teacherEntropy, batchMeanEntropy, centerNorm] = Array.from(await readings.data()) as [number, number, number, number];
    tf.dispose([readings, p.loss, p.entropy, p.probSum, p.teacherSum]);
    if (!Number.isFinite(loss)) {
      tf.dispose([newCenter, ...Object.values(grads)]);
      throw new StudioFailure(
        'internal',
        `the DINO loss is ${loss} at optimizer step ${this.optimizerStep} (lr ${sched.lr.toExponential(3)}); training stopped ` +
          'before applying this update, so the last good checkpoint is intact. Lower the learning rate (--lr), ' +
          'raise the teacher temperature or keep gradient clipping on (--clip-grad), then resume.',
      );
    }
    for (const s of this.specs) {
      const g = grads[s.name];
      if (!g) continue;
      const clipped = this.config.clipGrad > 0 ? clipGradient(g, this.config.clipGrad) : g;
      adamwUpdate(this.student.get(s.name) as tf.Variable, clipped, this.slots.get(s.name)!, sched.lr, s.decay ? sched.wd : 0);
      if (clipped !== g) clipped.dispose();
      g.dispose();
    }
    const mom = sched.momentum;
    tf.tidy(() => {
      for (const s of this.specs) {
        const t = this.teacher.get(s.name) as tf.Variable;
        t.assign(tf.add(tf.mul(t, mom), tf.mul(this.student.get(s.name)!, 1 - mom)));
      }
    });
    this.center.assign(newCenter);
    newCenter.dispose();
    this.optimizerStep += 1;
    return { loss, teacherEntropy, klTeacherStudent: loss - teacherEntropy, centerNorm, batchMeanEntropy };
  }

  /** One optimizer update from `micro` (a batch, or the micro-batches of one accumulated update). */
  async step(micro: Batch | Batch[], sched: StepSchedule): Promise<StepStats> {
    const batches = Array.isArray(micro) ? micro : [micro];
    const totalImages = batches.reduce((a, b) => a + b.batchSize, 0);
    return this.finish(this.accumulate(batches, sched, totalImages), sched, totalImages);
  }

  /** Student and teacher parameters and the center in internal layout (for a worker replica). */
  replicaState(): { student: Record<string, Float32Array>; teacher: Record<string, Float32Array>; center: Float32Array } {
    const student: Record<string, Float32Array> = {};
    const teacher: Record<string, Float32Array> = {};
    for (const s of this.specs) {
      student[s.name] = this.student.get(s.name)!.dataSync() as Float32Array;
      teacher[s.name] = this.teacher.get(s.name)!.dataSync() as Float32Array;
    }
    return { student, teacher, center: this.center.dataSync() as Float32Array };
  }

  /** Overwrite student, teacher and center from replicaState() of another process. */
  setReplicaState(r: { student: Record<string, Float32Array>; teacher: Record<string, Float32Array>; center: Float32Array }): void {
    tf.tidy(() => {
      for (const s of this.specs) {
        (this.student.get(s.name) as tf.Variable).assign(tf.tensor(r.student[s.name]!, s.internalShape));
        (this.teacher.get(s.name) as tf.Variable).assign(tf.tensor(r.teacher[s.name]!, s.internalShape));
      }
      this.center.assign(tf.tensor(r.center, [1, this.head.outDim]));
    });
  }

  /** Everything a checkpoint needs from the model side, in PyTorch layout (synchronous readback: cpu and wasm; see readState). */
  getState(): DinoState {
    const optimizer: NamedTensors = {};
    for (const s of this.specs) {
      const slot = this.slots.get(s.name);
      if (!slot) continue;
      optimizer[s.name + '.m'] = toHost(s, slot.m.dataSync() as Float32Array);
      optimizer[s.name + '.v'] = toHost(s, slot.v.dataSync() as Float32Array);
      optimizer[s.name + '.step'] = { shape: [1], data: Float32Array.of(slot.step) };
    }
    return {
      student: paramsToHost(this.specs, this.student),
      teacher: paramsToHost(this.specs, this.teacher),
      optimizer,
      center: { shape: [1, this.head.outDim], data: this.center.dataSync() as Float32Array },
      optimizerStep: this.optimizerStep,
    };
  }

  /**
   * getState with asynchronous readback: what checkpoints use, on every backend (WebGPU under Node has no synchronous
   * readback; getState's dataSync fails there).
   */
  async readState(): Promise<DinoState> {
    const optimizer: NamedTensors = {};
    for (const s of this.specs) {
      const slot = this.slots.get(s.name);
      if (!slot) continue;
      optimizer[s.name + '.m'] = toHost(s, (await slot.m.data()) as Float32Array);
      optimizer[s.name + '.v'] = toHost(s, (await slot.v.data()) as Float32Array);
      optimizer[s.name + '.step'] = { shape: [1], data: Float32Array.of(slot.step) };
    }
    return {
      student: await readParamsToHost(this.specs, this.student),
      teacher: await readParamsToHost(this.specs, this.teacher),
      optimizer,
      center: { shape: [1, this.head.outDim], data: (await this.center.data()) as Float32Array },
      optimizerStep: this.optimizerStep,
    };
  }

  /** Restore a state from getState() (strict: every parameter and slot must be present with its shape). */
  setState(s: DinoState): void {
    assignFromHost(this.specs, this.student, s.student, 'student state');
    assignFromHost(this.specs, this.teacher, s.teacher, 'teacher state');
    for (const spec of this.specs) {
      const slot = this.slots.get(spec.name);
      if (!slot) continue;
      const m = s.optimizer[spec.name + '.m'];
      const v = s.optimizer[spec.name + '.v'];
      const st = s.optimizer[spec.name + '.step'];
      if (!m || !v || !st) throw new Error(`optimizer state lacks the AdamW slots of ${spec.name}`);
      tf.tidy(() => {
        slot.m.assign(tf.tensor(fromHost(spec, m), spec.internalShape));
        slot.v.assign(tf.tensor(fromHost(spec, v), spec.internalShape));
      });
      slot.step = st.data[0]!;
    }
    if (s.center.data.length !== this.head.outDim) {
      throw new Error(`center has ${s.center.data.length} values but the head's out_dim is ${this.head.outDim}`);
    }
    tf.tidy(() => this.center.assign(tf.tensor(s.center.data, [1, this.head.outDim])));
    this.optimizerStep = s.optimizerStep;
  }

  dispose(): void {
    disposeParams(this.student);
    disposeParams(this.teacher);
    for (const s of this.slots.values()) tf.dispose([s.m, s.v]);
    this.slots.clear();
    this.center.dispose();
  }
}

export function createDinoSystem(config: StudioConfig, opts: DinoSystemOptions = {}): DinoSystem {
  return new DinoSystem(config, opts);
}
