// Go's text/tabwriter, for the one configuration pprof's tags report uses
// (minwidth 0, tabwidth 0, padding 1, pad ' ', AlignRight). Hand-written because
// byte-identical output needs Go's exact column-block algorithm: a column's
// width is set per block of consecutive lines that have a cell in that column.

interface Cell {
  text: string;
  width: number;
}

export function tabwriteAlignRight(text: string, padding = 1): string {
  if (text === "") return "";
  const rawLines = text.split("\n");
  const endsWithNewline = rawLines.length > 0 && rawLines[rawLines.length - 1] === "";
  if (endsWithNewline) rawLines.pop();
  const lines: Cell[][] = rawLines.map((l) => l.split("\t").map((t) => ({ text: t, width: [...t].length })));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i];
      let s = "";
      for (let j = 0; j < line.length; j++) {
        const c = line[j];
        if (j < widths.length) s += " ".repeat(Math.max(0, widths[j] - c.width));
        s += c.text;
      }
      out.push(s);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur].length - 1) continue;
      writeLines(line0, cur);
      line0 = cur;
      let width = 0;
      for (; cur < line1; cur++) {
        const line = lines[cur];
        if (column >= line.length - 1) break;
        const w = line[column].width + padding;
        if (w > width) width = w;
      }
      widths.push(width);
      format(line0, cur);
      widths.pop();
      line0 = cur;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join("\n") + (endsWithNewline ? "\n" : "");
}
