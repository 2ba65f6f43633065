// A drop onto the window: the desktop app opens the dropped folder (or a dropped file's folder); a browser tab, which is not told paths, says what to do.
import { describe, expect, it } from 'vitest';
import { droppedFolder, type DropItem } from '../../src/renderer/src/lib/dropped-folder';

const file = (name: string) => ({ name }) as File;
const item = (name: string, isDirectory: boolean): DropItem => ({ kind: 'file', getAsFile: () => file(name), webkitGetAsEntry: () => ({ isDirectory, name }) });
const paths: Record<string, string> = { photos: '/home/ann/photos', 'ant.jpg': '/home/ann/photos/ants/ant.jpg' };
const pathForFile = (f: File) => paths[f.name] ?? '';

describe('droppedFolder', () => {
  it('opens a dropped folder at its path', () => {
    expect(droppedFolder([item('photos', true)], pathForFile)).toEqual({ open: '/home/ann/photos' });
  });
  it('opens the folder of a dropped file', () => {
    expect(droppedFolder([item('ant.jpg', false)], pathForFile)).toEqual({ open: '/home/ann/photos/ants' });
  });
  it('in a browser tab (no paths) says to type the path, naming the folder', () => {
    const r = droppedFolder([item('photos', true)], null);
    expect(r && 'message' in r && r.message).toMatch(/type the path of "photos" in Folder path/);
  });
  it('ignores drops without files (text, links) and reports a path the host cannot tell', () => {
    expect(droppedFolder([{ kind: 'string', getAsFile: () => null }], pathForFile)).toBeNull();
    const r = droppedFolder([item('elsewhere', true)], pathForFile);
    expect(r && 'message' in r && r.message).toMatch(/could not tell where "elsewhere" is/);
  });
});
