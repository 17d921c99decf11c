// Diagnosis: open a bundle (or any files), run every rule, render the findings.

export { openBundle } from "../bundle/index.js";
export {
  diagnose,
  nothingReadable,
  renderDiagnosisHtml,
  renderDiagnosisMarkdown,
  renderDiagnosisText,
} from "../diagnose/index.js";
