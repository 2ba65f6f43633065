// Runs an imported or checkpointed ViT backbone on evaluation images: CLS embeddings and last-block CLS attention, batch by batch.
import * as tf from '@tensorflow/tfjs-core';
import { vitForward, vitSpecs, type Params, type VitConfig } from '../model/vit';
import { disposeParams, paramsFromHost } from '../model/param-store';
import type { NamedTensors } from '../train/step-types';
import type { EvalImage } from './eval-image';

export interface EmbedOutput {
  /** [n, embedDim] CLS after the final norm. */
  cls: Float32Array;
  /** [n, heads, patches] last block CLS-to-patch attention (when asked for). */
  attention: Float32Array | null;
}

export class BackboneRunner {
  private params: Params;

  constructor(
    readonly vit: VitConfig,
    backbone: NamedTensors,
    source: string,
  ) {
    this.params = paramsFromHost(vitSpecs(vit), backbone, false, source);
  }

  /** Images of one size in one forward pass (callers group by size; eval crops are all the same). */
  async embed(images: EvalImage[], withAttention = false): Promise<EmbedOutput> {
    if (!images.length) return { cls: new Float32Array(0), attention: withAttention ? new Float32Array(0) : null };
    const { h, w } = images[0]!;
    for (const im of images) {
      if (im.h !== h || im.w !== w) throw new Error(`embed: images of one batch must share a size (${im.path} is ${im.w} x ${im.h}, not ${w} x ${h})`);
    }
    const per = 3 * h * w;
    const data = new Float32Array(images.length * per);
    images.forEach((im, i) => data.set(im.data, i * per));
    // Read back asynchronously: a GPU backend under Node (WebGPU through Dawn) has no synchronous readback.
    const o = tf.tidy(() => {
      const r = vitForward(this.params, this.vit, { data, n: images.length, h, w }, { attention: withAttention });
      return withAttention && r.attention ? [r.cls, r.attention] : [r.cls];
    });
    try {
      return {
        cls: (await o[0]!.data()) as Float32Array,
        attention: o[1] ? ((await o[1].data()) as Float32Array) : null,
      };
    } finally {
      tf.dispose(o);
    }
  }

  dispose(): void {
    disposeParams(this.params);
  }
}
