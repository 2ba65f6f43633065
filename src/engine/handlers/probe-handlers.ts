// Engine handler of 'train:probe': the measured time of one training step of a config, before it is started (cached per config; refused while a run trains, which it would slow and be slowed by).
import { StudioFailure } from '../studio-failure';
import { StepProbeService } from '../train/step-probe-service';
import type { HandlerContext, PartialHandlerTable } from './handler-types';
import { trainControllerFor } from './train-handlers';

const services = new WeakMap<HandlerContext, StepProbeService>();
function serviceFor(ctx: HandlerContext): StepProbeService {
  let s = services.get(ctx);
  if (!s) services.set(ctx, (s = new StepProbeService()));
  return s;
}

export const probeHandlers: PartialHandlerTable = {
  'train:probe': async (req, ctx) => {
    const service = serviceFor(ctx);
    const hit = service.cached(req.config);
    if (hit) return hit;
    const status = trainControllerFor(ctx).status();
    if (status && ['starting', 'running', 'stopping'].includes(status.state)) {
      throw new StudioFailure('busy', `run ${status.runId} is training: timing a step now would slow it and measure the wrong thing; pause or stop it first, or read its speed on the Training screen`);
    }
    return service.probe(req.config);
  },
};
