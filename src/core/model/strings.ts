// Interned strings: every name, file and label in a profile is stored once and
// referred to by a small integer. Index 0 is always "" (as in profile.proto).

export class StringTable {
  private readonly list: string[];
  private index: Map<string, number> | null = null;

  /** Adopt an existing table (e.g. a decoded proto string_table). list[0] must be "". */
  constructor(list: string[] = [""]) {
    if (list.length === 0 || list[0] !== "") list.unshift("");
    this.list = list;
  }

  get length(): number {
    return this.list.length;
  }

  get(i: number): string {
    return this.list[i];
  }

  /** The index of s, adding it if new. The lookup map is built lazily, on first intern. */
  intern(s: string): number {
    let idx = this.index;
    if (idx === null) {
      idx = new Map();
      for (let i = this.list.length - 1; i >= 0; i--) idx.set(this.list[i], i);
      this.index = idx;
    }
    const found = idx.get(s);
    if (found !== undefined) return found;
    const i = this.list.length;
    this.list.push(s);
    idx.set(s, i);
    return i;
  }

  /** The underlying list (read-only use). */
  all(): readonly string[] {
    return this.list;
  }
}
