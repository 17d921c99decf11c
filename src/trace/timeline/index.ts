// The execution-trace timeline: build it in the reader's pass, render it as an HTML page.
export { TimelineBuilder, LOD_COLUMNS } from "./build.js";
export type { TimelineData, ProcSpans, Bands, GroupLane, Intervals, GroupInfo } from "./model.js";
export { encodeTimelinePayload, groupColor, groupColors, type TimelinePageOptions, type TimelineSummary } from "./payload.js";
export { renderTimelineHtml, timelineAssets, timelineFragment } from "./html.js";
export { timelineSummary } from "./summary.js";
export { timelineFromBytes } from "./from.js";
