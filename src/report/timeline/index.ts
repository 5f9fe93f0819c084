/** The HTML timeline of a run (page.ts). */
export { TIMELINE_CSP, timelineHtml, timelineMarkup, type TimelineInput } from './page.ts';
export { TimelineRecorder, type DrawnChoice } from './recorder.ts';
export type { TimelineHost } from './layout.ts';
