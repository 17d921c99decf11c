// Return points of a function: every RET instruction, found by decoding its
// machine code with capstone (capstone-wasm, an x86-64 decoder compiled to
// WebAssembly; a hand-written length decoder would be the riskiest code here).
// A uprobe on each RET replaces a uretprobe, which rewrites the return address
// on the goroutine stack and crashes Go when the stack moves (golang/go#22008).

// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the package's own types are unreachable (see the .d.ts)
/// <reference path="./capstone-wasm.d.ts" />
import type { Capstone } from "capstone-wasm";
import { InputError, UsageError } from "../../core/input/index.js";
import type { GoBinary } from "./gobinary.js";
import type { GoFunc } from "./pclntab.js";

let loaded: Promise<Capstone> | undefined;

function decoder(): Promise<Capstone> {
  // Loaded on first use: its WebAssembly module costs start-up time no other command should pay.
  const p =
    loaded ??
    import("capstone-wasm").then(
      async (cs) => {
        await cs.loadCapstone();
        return new cs.Capstone(cs.Const.CS_ARCH_X86, cs.Const.CS_MODE_64);
      },
      () => {
        throw new UsageError("the x86-64 decoder (npm package capstone-wasm) is not installed next to godiag: reinstall godiag");
      },
    );
  loaded = p;
  return p;
}

/** Largest function we decode (runtime functions are < 64 KB; generated code can be larger). */
const MAX_FUNC_BYTES = 4 << 20;

/** Virtual addresses of the RET instructions of `fn`. */
export async function retAddresses(bin: GoBinary, fn: GoFunc): Promise<bigint[]> {
  const size = Number(fn.end - fn.entry);
  if (size <= 0 || size > MAX_FUNC_BYTES) throw new InputError(bin.file, `${fn.name}: implausible size ${size}`);
  const code = bin.elf.bytesAt(fn.entry, size);
  if (!code) throw new InputError(bin.file, `${fn.name}: code at 0x${fn.entry.toString(16)} is outside the file`);
  const cs = await decoder();
  const out: bigint[] = [];
  let at = 0;
  // Capstone stops at bytes it cannot decode; Go pads functions with INT3, which it
  // decodes, so a stop before the end means a real problem: name it.
  while (at < code.length) {
    const insns = cs.disasm(code.subarray(at), { address: fn.entry + BigInt(at) });
    if (insns.length === 0) {
      throw new InputError(bin.file, `${fn.name}: cannot decode the instruction at 0x${(fn.entry + BigInt(at)).toString(16)}`);
    }
    for (const i of insns) {
      if (i.mnemonic === "ret") out.push(BigInt(i.address));
      at += i.size;
    }
  }
  return out;
}
