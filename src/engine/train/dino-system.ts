// The DINO student/teacher pair on tfjs: parameters, AdamW slots and the loss center; its step is train-step.ts's trainStep.
import * as tf from '../tf/tfjs';
import type { StudioConfig } from '../../shared/config-schema';
import type { Batch } from '../loader/batch-types';
import { headSpecs, type HeadConfig } from '../model/dino-head';
import { initParams } from '../model/init';
import { assignFromHost, disposeParams, paramsFromHost, paramsToHost, readParamsToHost } from '../model/param-store';
import { fromHost, toHost, type ParamSpec } from '../model/param-spec';
import { vitConfig, vitForward, vitSpecs, type ImageBatch, type Params, type VitConfig, type VitOutput } from '../model/vit';
import type { AttentionMode } from '../model/attention';
import { activeBackend } from '../backends/backend-registry';
import { createSlot, type AdamSlot } from './adamw';
import { accumulateGradients } from './gradient-accumulator';
import type { DinoState, NamedTensors, StepSchedule, StepStats } from './step-types';
import { trainStep } from './train-step';

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

/**
 * Student and teacher (same architecture, teacher = EMA of student, never trained by gradients), AdamW slots and the
 * loss center. step() performs one optimizer update (train-step.ts's trainStep) from one or more micro-batches
 * (gradient accumulation: the update equals that of one batch holding all their images).
 */
export class DinoSystem {
  readonly vit: VitConfig;
  readonly head: HeadConfig;
  /** Backbone then head ('head.*') specs, official names and PyTorch shapes. */
  readonly specs: ParamSpec[];
  readonly student: Params;
  readonly teacher: Params;
  /** AdamW slots of the trainable parameters, by parameter name. */
  readonly slots = new Map<string, AdamSlot>();
  private readonly varToName = new Map<string, string>();
  /** The loss center [1, outDim], subtracted from the teacher's logits. */
  readonly center: tf.Variable;
  /** Optimizer updates applied so far. */
  optimizerStep = 0;
  /** Activation memory one forward + backward pass may use; larger batches are processed in equal chunks (gradient-accumulator.ts). */
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

  /** The trainable student variables (what backward differentiates), in spec order. */
  get trainable(): tf.Variable[] {
    return this.specs.filter((s) => s.trainable).map((s) => this.student.get(s.name) as tf.Variable);
  }

  /** The parameter name of a student variable (variableGrads keys its gradients by variable name). */
  nameOf(variableName: string): string {
    const name = this.varToName.get(variableName);
    if (!name) throw new Error(`${variableName} is not a student variable of this DINO system`);
    return name;
  }

  /** One optimizer update from `micro` (a batch, or the micro-batches of one accumulated update): trainStep on this thread. */
  step(micro: Batch | Batch[], sched: StepSchedule): Promise<StepStats> {
    return trainStep(this, micro, sched, async (batches, s, totalImages) => accumulateGradients(this, batches, s, totalImages));
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
