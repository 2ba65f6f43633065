// Signed distance functions of the sample dataset's six shapes, in a unit frame (circumscribed radius about 1; negative inside).

export const SAMPLE_CLASSES = ['circle', 'square', 'triangle', 'star', 'ring', 'cross'] as const;
export type SampleClass = (typeof SAMPLE_CLASSES)[number];

type Polygon = Float64Array; // x0, y0, x1, y1, ...

function regularPolygon(n: number, radius: number, phase: number): Polygon {
  const v = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = phase + (2 * Math.PI * i) / n;
    v[2 * i] = radius * Math.cos(a);
    v[2 * i + 1] = radius * Math.sin(a);
  }
  return v;
}

function starPolygon(points: number, outer: number, inner: number): Polygon {
  const v = new Float64Array(4 * points);
  for (let i = 0; i < 2 * points; i++) {
    const a = -Math.PI / 2 + (Math.PI * i) / points;
    const r = i % 2 === 0 ? outer : inner;
    v[2 * i] = r * Math.cos(a);
    v[2 * i + 1] = r * Math.sin(a);
  }
  return v;
}

function crossPolygon(arm: number, half: number): Polygon {
  const a = arm;
  const h = half;
  // Plus sign, counter-clockwise, 12 corners.
  return Float64Array.from([a, -h, a, h, h, h, h, a, -h, a, -h, h, -a, h, -a, -h, -h, -h, -h, -a, h, -a, h, -h]);
}

const SQUARE = regularPolygon(4, 1, Math.PI / 4);
const TRIANGLE = regularPolygon(3, 1, -Math.PI / 2);
const STAR = starPolygon(5, 1, 0.4);
const CROSS = crossPolygon(0.95, 0.3);

/** Signed distance to a polygon (Inigo Quilez's sdPolygon): exact, negative inside. */
function sdPolygon(px: number, py: number, v: Polygon): number {
  const n = v.length / 2;
  let d = (px - v[0]!) ** 2 + (py - v[1]!) ** 2;
  let s = 1;
  for (let i = 0, j = n - 1; i < n; j = i, i++) {
    const vix = v[2 * i]!;
    const viy = v[2 * i + 1]!;
    const ex = v[2 * j]! - vix;
    const ey = v[2 * j + 1]! - viy;
    const wx = px - vix;
    const wy = py - viy;
    const t = Math.min(1, Math.max(0, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
    const bx = wx - ex * t;
    const by = wy - ey * t;
    const dd = bx * bx + by * by;
    if (dd < d) d = dd;
    const c1 = py >= viy;
    const c2 = py < v[2 * j + 1]!;
    const c3 = ex * wy > ey * wx;
    if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) s = -s;
  }
  return s * Math.sqrt(d);
}

/** Signed distance from (px, py) (unit frame, already rotated) to the shape of class `c`. */
export function shapeDistance(c: SampleClass, px: number, py: number): number {
  switch (c) {
    case 'circle':
      return Math.hypot(px, py) - 1;
    case 'ring':
      return Math.abs(Math.hypot(px, py) - 0.8) - 0.2;
    case 'square':
      return sdPolygon(px, py, SQUARE);
    case 'triangle':
      return sdPolygon(px, py, TRIANGLE);
    case 'star':
      return sdPolygon(px, py, STAR);
    case 'cross':
      return sdPolygon(px, py, CROSS);
  }
}

/** Area of each class's shape in the unit frame (measured on a fine grid), so shapes can be drawn with equal areas. */
export const SHAPE_AREA: Record<SampleClass, number> = (() => {
  const n = 400;
  const out = {} as Record<SampleClass, number>;
  for (const c of SAMPLE_CLASSES) {
    let inside = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (shapeDistance(c, -1.2 + (2.4 * (i + 0.5)) / n, -1.2 + (2.4 * (j + 0.5)) / n) < 0) inside++;
    }
    out[c] = (inside / (n * n)) * 2.4 * 2.4;
  }
  return out;
})();
