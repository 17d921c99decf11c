// The one HTML escaper: text and attribute values (double- or single-quoted) in HTML,
// and text and attributes in XML/SVG (&#39; is a numeric reference, valid in both).
// Runs in Node (the HTML and SVG writers) and in the browser (the flame viewer's bundle).

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** s with & < > " ' replaced by their character references. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}
