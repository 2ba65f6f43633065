// Which links may leave the app for the system browser (shell.openExternal): https only, to a short allowlist of documentation hosts.

/** Hosts the studio links to (papers, the reference code, framework docs). Nothing else is ever handed to the OS. */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['github.com', 'arxiv.org', 'pytorch.org', 'docs.pytorch.org', 'www.electronjs.org', 'js.tensorflow.org'];

/** True only for https://<allowlisted host>/... without credentials or an explicit port. */
export function isExternalLinkAllowed(url: unknown): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username !== '' || u.password !== '' || u.port !== '') return false;
  return EXTERNAL_LINK_HOSTS.includes(u.hostname);
}
