// One colour per augmentation view, shared by crop boxes, view frames, statistics charts (renderer) and the CLI preview overview (engine).

const GLOBAL_1 = '#e4572e';
const GLOBAL_2 = '#2e86de';
const LOCALS = ['#e6a700', '#2fa84f', '#9b59b6', '#00a8a8', '#e84393', '#8d6e63', '#7cb342', '#26a0da'];

/** Colour of a view by its name: 'global 1', 'global 2', 'local 3', or a kind: 'local'. */
export function viewColour(name: string): string {
  if (name === 'global 1') return GLOBAL_1;
  if (name === 'global 2') return GLOBAL_2;
  const m = /^local (\d+)$/.exec(name);
  if (m) return LOCALS[(Number(m[1]) - 1) % LOCALS.length]!;
  return LOCALS[0]!;
}
