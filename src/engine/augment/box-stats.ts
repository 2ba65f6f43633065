// Samples many crop boxes for an image size (no pixels): area fraction, log-aspect and centre per view, and fallback rate.
import type { AugmentConfig } from '../../shared/config-schema';
import type { BoxStats } from '../../shared/ipc-contract';
import { sampleResizedCrop } from './random-resized-crop';
import { viewRng, viewSpecs } from './view-plan';

/** `samples` draws of each view kind ('global 1', 'global 2', 'local' pooled over the locals) for a width x height image. */
export function boxStats(c: AugmentConfig, seed: number, samples: number, width: number, height: number): BoxStats {
  const specs = viewSpecs(c);
  const kinds: { kind: BoxStats['perView'][number]['kind']; views: typeof specs }[] = [
    { kind: 'global 1', views: [specs[0]!] },
    { kind: 'global 2', views: [specs[1]!] },
  ];
  if (c.localCrops > 0) kinds.push({ kind: 'local', views: specs.slice(2) });
  const area = width * height;
  return {
    samples,
    perView: kinds.map(({ kind, views }) => {
      const areaFractions: number[] = [];
      const logAspects: number[] = [];
      const centres: [number, number][] = [];
      let fallbacks = 0;
      for (let k = 0; k < samples; k++) {
        const spec = views[k % views.length]!;
        const { box, fallback } = sampleResizedCrop(viewRng(seed, 0, k, spec.index), width, height, spec.scale, c.aspectRange);
        areaFractions.push((box.w * box.h) / area);
        logAspects.push(Math.log(box.w / box.h));
        centres.push([(box.x + box.w / 2) / width, (box.y + box.h / 2) / height]);
        if (fallback) fallbacks++;
      }
      return { kind, areaFractions, logAspects, centres, fallbackRate: fallbacks / samples };
    }),
  };
}
