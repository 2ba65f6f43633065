// Preload (--require) for scripts/electronegativity.mjs: the tool's only network use (got: translations, release list) fails at once, so the scan is offline and never waits on DNS.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a --require preload is CommonJS by nature
const Module = require('node:module');

const load = Module._load;
Module._load = function offlineLoad(request, ...rest) {
  if (request === 'got') {
    const offline = () => Promise.reject(new Error('network use is disabled for this offline scan'));
    return Object.assign(offline, { get: offline, extend: () => offline });
  }
  return load.call(this, request, ...rest);
};
