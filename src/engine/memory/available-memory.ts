// Memory the engine process may use: the system's available memory plus what the engine already holds.
import { freemem } from 'node:os';

/** MB available to the engine: MemAvailable (libuv reads /proc/meminfo on Linux) + this process's current RSS. */
export function systemAvailableMb(): number {
  return (freemem() + process.memoryUsage().rss) / 2 ** 20;
}
