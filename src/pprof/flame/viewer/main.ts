// The browser entry of the flame viewer (scripts/build.mjs bundles it, minified, into
// bundle.generated.ts's VIEWER_JS, which html.ts inlines once per page). It defines
// window.godiagFlame(el, payloadBase64), called by each flame graph on the page.

import { flameViewer, type FlameApi } from "./viewer.js";

declare global {
  interface Window {
    godiagFlame: (el: HTMLElement, payloadB64: string) => Promise<FlameApi>;
  }
}

window.godiagFlame = (el, payloadB64) => flameViewer(el, payloadB64);
