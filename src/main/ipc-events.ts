// The IPC channel names on which the main process pushes engine events to the window (shared by main and preload).
export const EVENT_IPC_CHANNEL = 'studio:event';
export const IMAGE_SCHEME = 'studio-image';
