// Strict import of a ViT backbone (and optional DINO head) from official DINO / timm key names; architecture from the shapes or flags.
import { ARCH_DIMS, vitConfig, vitSpecs, type VitArch, type VitConfig } from '../model/vit';
import { headSpecs, type HeadConfig } from '../model/dino-head';
import type { ParamSpec } from '../model/param-spec';
import type { NamedTensors } from '../train/step-types';
import { readSafetensors } from './safetensors';

/** What a person may force instead of reading it from the shapes (a mismatch with the file is an error). */
export interface ImportOverrides {
  arch?: VitArch;
  patchSize?: number;
  depth?: number;
}

export interface ImportedWeights {
  source: string;
  arch: VitArch;
  vit: VitConfig;
  /** Backbone tensors under the official names (no prefix), PyTorch shapes. */
  backbone: NamedTensors;
  /** DINO head tensors ('head.*') when the file holds a MultiCropWrapper state (backbone.* + head.*). */
  head: NamedTensors | null;
  headConfig: HeadConfig | null;
  metadata: Record<string, string>;
}

/** A weights file that does not hold what we need: the message names the file, the key and what to do. */
export class WeightsImportError extends Error {
  override name = 'WeightsImportError';
}

const NAMING_HINT =
  'The file must hold a ViT backbone under the official DINO / timm names (cls_token, pos_embed, patch_embed.proj.weight, blocks.N.norm1.weight, ..., norm.weight), ' +
  'optionally with the DINO head as backbone.* + head.* (a MultiCropWrapper state_dict).';

function shapeText(s: number[]): string {
  return `[${s.join(', ')}]`;
}

function archOfDim(dim: number): VitArch | null {
  for (const [arch, d] of Object.entries(ARCH_DIMS) as [VitArch, { embedDim: number }][]) if (d.embedDim === dim) return arch;
  return null;
}

/** Strip a prefix every key carries ('module.' from DistributedDataParallel), as the official loaders do. */
function stripCommonPrefix(t: NamedTensors, prefix: string): NamedTensors {
  const keys = Object.keys(t);
  if (!keys.length || !keys.every((k) => k.startsWith(prefix))) return t;
  return Object.fromEntries(keys.map((k) => [k.slice(prefix.length), t[k]!]));
}

/** Split a state dict into backbone and head tensors; the backbone keys lose their 'backbone.' prefix. */
function splitWrapper(t: NamedTensors): { backbone: NamedTensors; head: NamedTensors | null } {
  const keys = Object.keys(t);
  const wrapped = keys.some((k) => k.startsWith('backbone.'));
  if (!wrapped) return { backbone: t, head: null };
  const backbone: NamedTensors = {};
  const head: NamedTensors = {};
  const stray: string[] = [];
  for (const k of keys) {
    if (k.startsWith('backbone.')) backbone[k.slice('backbone.'.length)] = t[k]!;
    else if (k.startsWith('head.')) head[k] = t[k]!;
    else stray.push(k);
  }
  if (stray.length) {
    throw new WeightsImportError(`unexpected key(s) ${stray.slice(0, 5).join(', ')} beside backbone.* keys: a MultiCropWrapper state holds only backbone.* and head.*. ${NAMING_HINT}`);
  }
  return { backbone, head: Object.keys(head).length ? head : null };
}

/** Read the architecture from the tensor shapes; overrides must agree with the file. */
export function inferVitConfig(backbone: NamedTensors, source: string, o: ImportOverrides = {}): { arch: VitArch; vit: VitConfig } {
  const need = (key: string) => {
    const t = backbone[key];
    if (!t) throw new WeightsImportError(`${source}: missing key ${key}. ${NAMING_HINT}`);
    return t;
  };
  const proj = need('patch_embed.proj.weight');
  if (proj.shape.length !== 4 || proj.shape[1] !== 3 || proj.shape[2] !== proj.shape[3]) {
    throw new WeightsImportError(`${source}: patch_embed.proj.weight has shape ${shapeText(proj.shape)}; expected [embed_dim, 3, patch, patch]`);
  }
  const dim = proj.shape[0]!;
  const patch = proj.shape[2]!;
  const inferredArch = archOfDim(dim);
  if (!inferredArch) {
    throw new WeightsImportError(
      `${source}: embed dim ${dim} (patch_embed.proj.weight ${shapeText(proj.shape)}) is none of vit_tiny (192), vit_small (384), vit_base (768); only these ViTs are supported`,
    );
  }
  if (o.arch && o.arch !== inferredArch) {
    throw new WeightsImportError(`${source}: --arch ${o.arch} expects embed dim ${ARCH_DIMS[o.arch].embedDim}, but the file's patch_embed.proj.weight ${shapeText(proj.shape)} has ${dim} (${inferredArch}); drop --arch or pick ${inferredArch}`);
  }
  if (o.patchSize !== undefined && o.patchSize !== patch) {
    throw new WeightsImportError(`${source}: --patch ${o.patchSize} does not match the file's patch size ${patch} (patch_embed.proj.weight ${shapeText(proj.shape)}); drop --patch or pass ${patch}`);
  }
  const blockIds = new Set<number>();
  for (const k of Object.keys(backbone)) {
    const m = /^blocks\.(\d+)\./.exec(k);
    if (m) blockIds.add(Number(m[1]));
  }
  const depth = blockIds.size;
  if (depth === 0) throw new WeightsImportError(`${source}: no blocks.N.* keys; ${NAMING_HINT}`);
  for (let i = 0; i < depth; i++) {
    if (!blockIds.has(i)) throw new WeightsImportError(`${source}: missing key blocks.${i}.* (block ids found: ${[...blockIds].sort((a, b) => a - b).join(', ')})`);
  }
  if (o.depth !== undefined && o.depth !== depth) {
    throw new WeightsImportError(`${source}: depth ${o.depth} was asked for but the file holds ${depth} blocks (blocks.0 .. blocks.${depth - 1})`);
  }
  const pos = need('pos_embed');
  const grid = Math.round(Math.sqrt((pos.shape[1] ?? 0) - 1));
  if (pos.shape.length !== 3 || pos.shape[0] !== 1 || grid * grid !== pos.shape[1]! - 1 || pos.shape[2] !== dim) {
    throw new WeightsImportError(`${source}: pos_embed has shape ${shapeText(pos.shape)}; expected [1, 1 + g*g, ${dim}] for a square g x g patch grid`);
  }
  return { arch: inferredArch, vit: vitConfig(inferredArch, patch, depth, grid * patch) };
}

/** Strict comparison of tensors against specs: every missing key, unexpected key and wrong shape, named. */
export function strictCheck(specs: ParamSpec[], tensors: NamedTensors, source: string, what: string): void {
  const problems: string[] = [];
  const known = new Map(specs.map((s) => [s.name, s]));
  for (const s of specs) {
    const t = tensors[s.name];
    if (!t) problems.push(`missing key ${s.name} (expected shape ${shapeText(s.hostShape)})`);
    else if (t.shape.length !== s.hostShape.length || t.shape.some((d, i) => d !== s.hostShape[i])) {
      problems.push(`key ${s.name} has shape ${shapeText(t.shape)}, expected ${shapeText(s.hostShape)}`);
    }
  }
  for (const k of Object.keys(tensors)) if (!known.has(k)) problems.push(`unexpected key ${k} ${shapeText(tensors[k]!.shape)}`);
  if (problems.length) {
    const shown = problems.slice(0, 12).join('; ') + (problems.length > 12 ? `; and ${problems.length - 12} more` : '');
    throw new WeightsImportError(`${source} does not match a ${what}: ${shown}. ${NAMING_HINT}`);
  }
}

/** Infer the DINO head's dimensions from its tensors (MultiCropWrapper layout). */
function inferHead(head: NamedTensors, inDim: number, source: string): HeadConfig {
  const dims = (key: string) => {
    const t = head[key];
    if (!t) throw new WeightsImportError(`${source}: missing key ${key} of the DINO head`);
    return t.shape;
  };
  const hidden = dims('head.mlp.0.weight')[0]!;
  const bottleneck = dims('head.mlp.4.weight')[0]!;
  const outDim = dims('head.last_layer.weight_v')[0]!;
  const g = head['head.last_layer.weight_g'];
  const normLastLayer = !!g && g.data.every((v) => v === 1);
  return { inDim, hiddenDim: hidden, bottleneckDim: bottleneck, outDim, normLastLayer };
}

/** Validate a state dict (already parsed) strictly and return the backbone (and head) in official names. */
export function importState(tensors: NamedTensors, source: string, overrides: ImportOverrides = {}, metadata: Record<string, string> = {}): ImportedWeights {
  const { backbone, head } = splitWrapper(stripCommonPrefix(tensors, 'module.'));
  const { arch, vit } = inferVitConfig(backbone, source, overrides);
  strictCheck(vitSpecs(vit), backbone, source, `${arch}/${vit.patchSize} backbone of depth ${vit.depth}`);
  let headConfig: HeadConfig | null = null;
  if (head) {
    headConfig = inferHead(head, vit.embedDim, source);
    strictCheck(headSpecs(headConfig), head, source, `DINO head (${headConfig.hiddenDim}/${headConfig.bottleneckDim}/${headConfig.outDim})`);
  }
  return { source, arch, vit, backbone, head, headConfig, metadata };
}

/** Read a .safetensors file and import it strictly. */
export async function importWeightsFile(path: string, overrides: ImportOverrides = {}): Promise<ImportedWeights> {
  let content;
  try {
    content = await readSafetensors(path);
  } catch (e) {
    throw new WeightsImportError(`${(e as Error).message}; pass a .safetensors file with a ViT backbone`);
  }
  return importState(content.tensors, path, overrides, content.metadata);
}
