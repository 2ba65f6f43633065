// Places the name tags of the crop boxes so they do not cover each other: each tag goes to the first free spot along its own box's edges.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Spots for a tag of size tw x th on box b: along its top and bottom edges (inside, then outside), then down its sides. */
function candidates(b: Rect, tw: number, th: number, bounds: { width: number; height: number }): Rect[] {
  const out: Rect[] = [];
  const xs = [0, 0.25, 0.5, 0.75, 1].map((f) => b.x + f * Math.max(0, b.w - tw));
  const ys = [0.25, 0.5, 0.75].map((f) => b.y + f * Math.max(0, b.h - th));
  for (const y of [b.y, b.y + b.h - th, b.y - th, b.y + b.h]) for (const x of xs) out.push({ x, y, w: tw, h: th });
  for (const y of ys) for (const x of [b.x, b.x + b.w - tw]) out.push({ x, y, w: tw, h: th });
  // keep every spot inside the picture
  return out.map((r) => ({ ...r, x: Math.min(Math.max(0, r.x), Math.max(0, bounds.width - tw)), y: Math.min(Math.max(0, r.y), Math.max(0, bounds.height - th)) }));
}

/**
 * Tag rectangles for labelled boxes, in the boxes' order (put the important ones first: they get the best spots).
 * A tag is charWidth per character plus padding wide and lineHeight tall; it takes the first candidate spot that
 * covers no tag placed before it, else the one that covers the least.
 */
export function placeLabels(
  boxes: readonly (Rect & { text: string })[],
  size: { charWidth: number; lineHeight: number; pad: number },
  bounds: { width: number; height: number },
): Rect[] {
  const placed: Rect[] = [];
  for (const b of boxes) {
    const tw = b.text.length * size.charWidth + 2 * size.pad;
    const th = size.lineHeight;
    let best: Rect | null = null;
    let bestCost = Infinity;
    for (const c of candidates(b, tw, th, bounds)) {
      const cost = placed.reduce((s, p) => s + overlapArea(c, p), 0);
      if (cost < bestCost) {
        best = c;
        bestCost = cost;
        if (cost === 0) break;
      }
    }
    placed.push(best!);
  }
  return placed;
}
