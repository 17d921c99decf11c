// Text saved on Windows: PowerShell 5.1's `>` redirection (`curl.exe ... > g1.txt`,
// `Invoke-RestMethod ... > g1.txt`) and some editors write UTF-16 with a byte-order mark.
// The runtime's text formats are ASCII, so such a file is the same dump or log; its NUL
// bytes made it look binary. Re-encoded as UTF-8 when it starts with a UTF-16 BOM.
// (A binary profile saved the same way is corrupted beyond repair: not handled.)

/** UTF-8 bytes of a UTF-16 file with a byte-order mark; the same array otherwise. */
export function fromUtf16(data: Uint8Array): Uint8Array {
  if (data.length < 2) return data;
  const le = data[0] === 0xff && data[1] === 0xfe;
  const be = data[0] === 0xfe && data[1] === 0xff;
  if (!le && !be) return data;
  const view = Buffer.from(data.buffer, data.byteOffset + 2, (data.length - 2) & ~1);
  // big-endian: swapped in a copy (the view shares the caller's bytes)
  const body = be ? Buffer.from(view).swap16() : view;
  return new Uint8Array(Buffer.from(body.toString("utf16le"), "utf8"));
}
