// Engine handlers for the augment channels: 'augment:preview' (views of one image) and 'augment:stats' (sampled boxes).
import { resolve } from 'node:path';
import { boxStats } from '../augment/box-stats';
import { renderPreview } from '../augment/render-preview';
import { StudioFailure } from '../studio-failure';
import { type PartialHandlerTable } from './handler-types';

export const augmentHandlers: PartialHandlerTable = {
  async 'augment:preview'(req, ctx) {
    const image = resolve(req.image);
    if (!ctx.isAllowed(image)) {
      throw new StudioFailure('forbidden', `${image} is not inside a folder you opened; open its dataset folder first`);
    }
    // JPEG views: a tenth of PNG's bytes for the same encode time, so a redraw crosses the engine and socket faster.
    return renderPreview(image, req.config, req.seed, { format: 'jpeg' });
  },
  async 'augment:stats'(req) {
    return boxStats(req.config, req.seed, req.samples, req.width, req.height);
  },
};
