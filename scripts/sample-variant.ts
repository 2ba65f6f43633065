// Writes a variant of the sample dataset (same classes and split, another drawing style) with its masks, for the experiments in docs/learning.md.
// Usage: node --import tsx scripts/sample-variant.ts OUT '{"objects":[2,3],"palette":"ink"}'  -> OUT/data/{train,val} and OUT/data-masks (train with learn-check --data OUT/data); '{"fill":"pattern",...}' makes the class the texture inside the object; "splits":{"train":40,"val":15} sets the images per class
import { join, resolve } from 'node:path';
import { writeSampleImages, type SampleSplit } from '../src/engine/sample/sample-dataset';
import { SAMPLE_STYLE, type SampleStyle } from '../src/engine/sample/render-sample';

const [outArg, styleJson] = process.argv.slice(2);
if (!outArg) throw new Error('usage: node --import tsx scripts/sample-variant.ts OUT [STYLE_JSON] (see the top of this file)');
const out = resolve(outArg);
const { splits, ...given } = (styleJson ? JSON.parse(styleJson) : {}) as Partial<SampleStyle> & { splits?: Record<SampleSplit, number> };
const style: SampleStyle = { ...SAMPLE_STYLE, ...given };
const files = await writeSampleImages(join(out, 'data'), join(out, 'data-masks'), undefined, style, splits);
const share = files.reduce((s, f) => s + f.objectShare, 0) / files.length;
process.stdout.write(JSON.stringify({ data: join(out, 'data'), masks: join(out, 'data-masks'), style, images: files.length, meanObjectShare: Number(share.toFixed(4)) }) + '\n');
