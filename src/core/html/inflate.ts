// In the browser: a page's embedded data (base64 of a gzip'd blob) back to its bytes,
// with the browser's own DecompressionStream. Both viewers' payloads arrive this way.

export async function inflateBase64Gzip(b64: string): Promise<ArrayBuffer> {
  const bin = atob(b64);
  const u8 = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  const stream = new Blob([u8]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}
