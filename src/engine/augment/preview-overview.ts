// The overview image of `multicrop preview`: the source with every view's crop box drawn on it, and the views themselves beside it, framed in the same colours.
import sharp, { type OverlayOptions } from 'sharp';
import type { PreviewView } from '../../shared/ipc-contract';
import { viewColour } from '../../shared/view-colours';
import { openSharp } from '../loader/decode-image';

/** Where each part went in the overview (in overview pixels), for captions and tests. */
export interface OverviewLayout {
  width: number;
  height: number;
  /** The source picture: its top-left corner and the scale from source pixels. */
  source: { x: number; y: number; w: number; h: number; scale: number };
  /** Each view's tile (the view's picture, without its frame). */
  tiles: { name: string; x: number; y: number; size: number }[];
}

const PAD = 16;
const GAP = 12;
const CAPTION = 18;
const FRAME = 3;
const SOURCE_SIDE = 640;
const GLOBAL_TILE = 192;

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Decode a view's data URL (PNG or JPEG). */
function viewBytes(view: PreviewView): Buffer {
  return Buffer.from(view.png.slice(view.png.indexOf(',') + 1), 'base64');
}

/** Plans the overview: the source scaled so its long side is 640 px, then the views in rows below (globals 192 px, locals in proportion). */
export function planOverview(width: number, height: number, views: readonly PreviewView[]): OverviewLayout {
  const scale = SOURCE_SIDE / Math.max(width, height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const globalSize = Math.max(1, ...views.filter((v) => v.kind === 'global').map((v) => v.size));
  const panel = Math.max(w, 2 * (GLOBAL_TILE + 2 * FRAME) + GAP);
  const tiles: OverviewLayout['tiles'] = [];
  let x = PAD;
  let y = PAD + h + PAD + CAPTION;
  let rowHeight = 0;
  let lastKind: string | null = null;
  for (const v of views) {
    const size = Math.max(8, Math.round((GLOBAL_TILE * v.size) / globalSize));
    const outer = size + 2 * FRAME;
    const newRow = (lastKind !== null && v.kind !== lastKind) || x + outer > PAD + panel;
    if (newRow && rowHeight > 0) {
      x = PAD;
      y += rowHeight + CAPTION + GAP;
      rowHeight = 0;
    }
    tiles.push({ name: v.name, x: x + FRAME, y: y + FRAME, size });
    x += outer + GAP;
    rowHeight = Math.max(rowHeight, outer);
    lastKind = v.kind;
  }
  return { width: panel + 2 * PAD, height: y + rowHeight + CAPTION + PAD, source: { x: PAD, y: PAD, w, h, scale }, tiles };
}

/**
 * Renders the overview PNG of one preview: boxes are drawn at the views' crop boxes (source pixels after EXIF
 * orientation, as the engine reports them), each labelled with the view's name.
 */
export async function renderPreviewOverview(
  sourcePath: string,
  preview: { width: number; height: number; views: readonly PreviewView[] },
  maxPixels: number,
): Promise<{ png: Buffer; layout: OverviewLayout }> {
  const layout = planOverview(preview.width, preview.height, preview.views);
  const { source } = layout;
  const picture = await openSharp(sourcePath, maxPixels).resize(source.w, source.h, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer();

  const shapes: string[] = [];
  for (const v of preview.views) {
    const c = viewColour(v.name);
    const bx = source.x + v.box.x * source.scale;
    const by = source.y + v.box.y * source.scale;
    const bw = v.box.w * source.scale;
    const bh = v.box.h * source.scale;
    shapes.push(`<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${bw.toFixed(1)}" height="${bh.toFixed(1)}" fill="none" stroke="${c}" stroke-width="${FRAME}"/>`);
    const label = esc(v.name);
    const lw = 7.5 * label.length + 8;
    shapes.push(`<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${lw}" height="16" fill="${c}"/>`);
    shapes.push(`<text x="${(bx + 4).toFixed(1)}" y="${(by + 12).toFixed(1)}" font-family="DejaVu Sans, sans-serif" font-size="12" fill="#fff">${label}</text>`);
  }
  shapes.push(
    `<text x="${PAD}" y="${source.y + source.h + PAD + 12}" font-family="DejaVu Sans, sans-serif" font-size="13" fill="#222">` +
      `${esc(`${preview.width}x${preview.height} source, ${preview.views.length} views: boxes drawn where each view was cropped`)}</text>`,
  );
  const composites: OverlayOptions[] = [{ input: picture, left: source.x, top: source.y }];
  for (const [i, t] of layout.tiles.entries()) {
    const v = preview.views[i]!;
    const c = viewColour(v.name);
    shapes.push(`<rect x="${t.x - FRAME / 2}" y="${t.y - FRAME / 2}" width="${t.size + FRAME}" height="${t.size + FRAME}" fill="none" stroke="${c}" stroke-width="${FRAME}"/>`);
    shapes.push(`<text x="${t.x - FRAME}" y="${t.y + t.size + FRAME + 13}" font-family="DejaVu Sans, sans-serif" font-size="12" fill="#222">${esc(`${v.name} (${v.size} px)`)}</text>`);
    const tile = await sharp(viewBytes(v)).resize(t.size, t.size, { fit: 'fill', kernel: 'nearest' }).png().toBuffer();
    composites.push({ input: tile, left: t.x, top: t.y });
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}">${shapes.join('')}</svg>`;
  // The picture and tiles first, the boxes and captions on top.
  composites.push({ input: Buffer.from(svg), left: 0, top: 0 });
  const png = await sharp({ create: { width: layout.width, height: layout.height, channels: 3, background: '#f4f4f6' } })
    .composite(composites)
    .png({ compressionLevel: 6 })
    .toBuffer();
  return { png, layout };
}
