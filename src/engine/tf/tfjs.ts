// The one tfjs-core entry of the engine: re-exports @tensorflow/tfjs-core with the gradients the model needs registered.
import { registerGradients } from './gradients';

registerGradients();

export * from '@tensorflow/tfjs-core';
