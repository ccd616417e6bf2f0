/**
 * The Content-Security-Policy of every WALscope page, written once: the Electron shell sends it as
 * a header from its app:// protocol handler, serve mode sends it with its own WebSocket origin
 * added, and the renderer build puts it in a `<meta>` tag as a fallback. No inline script or
 * style, no eval, no remote origins.
 */
const DIRECTIVES: readonly (readonly [string, string])[] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** Directives a browser ignores (and warns about) when they come from a `<meta>` tag. */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

export function contentSecurityPolicy(opts: { connectSrc?: readonly string[]; meta?: boolean } = {}): string {
  return DIRECTIVES.filter(([name]) => !(opts.meta && HEADER_ONLY.has(name)))
    .map(([name, value]) =>
      name === 'connect-src' && opts.connectSrc?.length
        ? `${name} ${value} ${opts.connectSrc.join(' ')}`
        : `${name} ${value}`,
    )
    .join('; ');
}

/** The policy of the Electron app's pages. */
export const APP_CSP = contentSecurityPolicy();

/** The same policy in a `<meta http-equiv>` tag (header-only directives left out). */
export const META_CSP = contentSecurityPolicy({ meta: true });

/**
 * A Vite plugin that puts META_CSP first in the built index.html, before any script or stylesheet
 * it must govern. Build only: the dev server injects an inline script the policy forbids.
 * Structurally typed so shared/ stays free of build-tool imports.
 */
export function cspMetaPlugin(): {
  name: string;
  apply: 'build';
  transformIndexHtml(): { tag: string; attrs: Record<string, string>; injectTo: 'head-prepend' }[];
} {
  return {
    name: 'walscope-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: META_CSP }, injectTo: 'head-prepend' },
    ],
  };
}
