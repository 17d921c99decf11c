// capstone-wasm ships types that its package.json "exports" do not point at
// (TS cannot resolve them under NodeNext): the part of its API we use.
declare module "capstone-wasm" {
  export interface Insn {
    id: number;
    address: number | bigint;
    size: number;
    mnemonic: string;
    opStr: string;
  }
  export class Capstone {
    constructor(arch: number, mode: number);
    disasm(data: Uint8Array, options?: { address?: number | bigint; count?: number }): Insn[];
    close(): void;
  }
  export const Const: { CS_ARCH_X86: number; CS_MODE_64: number };
  export function loadCapstone(args?: Record<string, unknown>): Promise<void>;
}
