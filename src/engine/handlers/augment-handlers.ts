// Engine handlers for the augment channels: 'augment:preview' (views of one image) and 'augment:stats' (sampled boxes).
import { resolve } from 'node:path';
import { boxStats } from '../augment/box-stats';
import { renderPreview } from '../augment/render-preview';
import { StudioFailure, type PartialHandlerTable } from './handler-types';

export const augmentHandlers: PartialHandlerTable = {
  async 'augment:preview'(req, ctx) {
    const image = resolve(req.image);
    if (!ctx.isAllowed(image)) {
      throw new StudioFailure('forbidden', `${image} is not inside a folder you opened; open its dataset folder first`);
    }
    return renderPreview(image, req.config, req.seed);
  },
  async 'augment:stats'(req) {
    return boxStats(req.config, req.seed, req.samples, req.width, req.height);
  },
};
