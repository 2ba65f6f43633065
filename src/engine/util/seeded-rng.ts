// Counter-based deterministic random numbers: a stream is a pure function of its key (seed, epoch, image, view, ...).

/** 32-bit mix (murmur3 finaliser). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a key of integers into one 32-bit state. */
export function hashKey(...key: number[]): number {
  let h = 0x9e3779b9;
  for (const k of key) {
    h = mix32((h ^ mix32((k >>> 0) + 0x7f4a7c15 + ((k / 2 ** 32) >>> 0))) + 0x165667b1);
  }
  return h;
}

/** A small seedable generator (mulberry32) whose whole state is one uint32, so it can be saved and restored. */
export class SeededRng {
  state: number;
  constructor(...key: number[]) {
    this.state = hashKey(...key);
  }
  static fromState(state: number): SeededRng {
    const r = new SeededRng(0);
    r.state = state >>> 0;
    return r;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
