// The app icon. Browsers ask for /favicon.ico on their own (a 404 on every page before); the pages name it
// in their <link rel="icon"> (app/layout.tsx). An SVG: one small text file instead of a binary .ico.
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#38bdf8"/><stop offset="1" stop-color="#6366f1"/></linearGradient></defs><rect x="2" y="2" width="28" height="28" rx="7" fill="url(#g)"/><path d="M9 11h14M9 16h9M9 21h12" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/></svg>`;

export function GET(): Response {
  return new Response(ICON, { headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" } });
}
