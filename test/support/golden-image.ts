// Loads a golden-values image with the preprocessing recorded in golden.json: RGB / 255, ImageNet mean/std, no resize, CHW.
import sharp from 'sharp';

export async function loadGoldenImage(file: string): Promise<{ data: Float32Array; h: number; w: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const h = info.height;
  const w = info.width;
  const out = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < h * w; i++) out[c * h * w + i] = (data[i * info.channels + c]! / 255 - mean[c]!) / std[c]!;
  }
  return { data: out, h, w };
}
