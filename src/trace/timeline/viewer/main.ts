// The browser entry of the timeline viewer (scripts/build.mjs bundles it, minified, into
// bundle.generated.ts's TIMELINE_JS, which ../html.ts inlines once per page). It defines
// window.godiagTimeline(el, payloadBase64), called by each timeline on the page.

import { timelineViewer, type TimelineApi } from "./viewer.js";

declare global {
  interface Window {
    godiagTimeline: (el: HTMLElement, payloadB64: string) => Promise<TimelineApi>;
  }
}

window.godiagTimeline = (el, payloadB64) => timelineViewer(el, payloadB64);
