// The trainer loop <-> DINO model hand-off: per-step schedule values in, step statistics out, state as named tensors.

/** Schedule values for one iteration (pure functions of the global step, see schedules.ts). */
export interface StepSchedule {
  lr: number;
  wd: number;
  momentum: number;
  teacherTemp: number;
  /** True during the first freezeLastLayer epochs: the last head layer gets no update. */
  freezeLastLayer: boolean;
}

/** What one training step measured (all plain numbers, read back from the backend once per step). */
export interface StepStats {
  loss: number;
  teacherEntropy: number; // mean per-sample entropy of the teacher distribution (nats)
  klTeacherStudent: number; // mean KL(teacher || student) over the loss pairs
  centerNorm: number;
  batchMeanEntropy: number; // entropy of the batch-mean teacher distribution (nats)
}

/** A host-side tensor (checkpoints, safetensors, export). Shapes in PyTorch order. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}
export type NamedTensors = Record<string, HostTensor>;

/** Everything a checkpoint must hold from the model side. */
export interface DinoState {
  student: NamedTensors; // official names: backbone keys as in vision_transformer.py, head keys 'head.*'
  teacher: NamedTensors;
  optimizer: NamedTensors; // AdamW slots: '<param>.m', '<param>.v'
  center: HostTensor;
  optimizerStep: number;
}
