// What a drop onto the window asks to open: the dropped folder (or the folder of a dropped file), when the host can tell its path.

/** The part of a DataTransferItem this needs (tests pass plain objects). */
export interface DropItem {
  kind: string;
  getAsFile(): File | null;
  webkitGetAsEntry?(): { isDirectory: boolean; name: string } | null;
}

export type DropOutcome = { open: string } | { message: string } | null;

/**
 * `pathForFile` is the desktop app's (Electron's webUtils, through the preload); a browser tab has none and is
 * never told where a dropped folder lives, so it gets a message instead.
 */
export function droppedFolder(items: readonly DropItem[], pathForFile: ((f: File) => string) | null): DropOutcome {
  const item = items.find((i) => i.kind === 'file');
  if (!item) return null;
  const file = item.getAsFile();
  const entry = item.webkitGetAsEntry?.() ?? null;
  const name = entry?.name ?? file?.name ?? 'it';
  if (!pathForFile || !file) {
    return { message: `A browser tab is not told where a dropped folder is on disk: type the path of "${name}" in Folder path and press Open.` };
  }
  const path = pathForFile(file);
  if (!path) return { message: `The desktop app could not tell where "${name}" is; choose it with Choose folder… instead.` };
  if (entry && !entry.isDirectory) return { open: path.replace(/[\\/][^\\/]+$/, '') || path };
  return { open: path };
}
