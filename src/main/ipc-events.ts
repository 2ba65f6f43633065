// The IPC channel names on which the main process pushes engine events to the window (shared by main and preload).
export const EVENT_IPC_CHANNEL = 'studio:event';
export const IMAGE_SCHEME = 'studio-image';
/** The IPC channel main posts the engine's MessagePort on to the compute window (its preload forwards it into the page). */
export const COMPUTE_PORT_IPC = 'compute:port';
