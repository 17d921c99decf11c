// Flame graphs: the tree of a profile, drawn as a self-contained HTML page or SVG.

export { DEFAULT_MAX_FRAMES, flameAssets, flameTreeFromProfile, renderFlameHtml, renderFlameSvg, type ColorMode } from "../pprof/index.js";
