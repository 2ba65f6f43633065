// Copy text to the clipboard: the async Clipboard API where the page may use it, else a selected textarea and execCommand('copy').

/** True when the text reached the clipboard. */
export async function copyText(text: string, fallbackFrom?: HTMLTextAreaElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (the desktop window denies permissions): fall back to a selection copy.
  }
  const area = fallbackFrom ?? null;
  if (!area) return false;
  area.focus();
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
