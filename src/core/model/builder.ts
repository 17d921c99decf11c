// Append-only construction of a Profile, for readers that discover rows one by one.

import { F64Column, I32Column, U32Column, U64Column, U8Column } from "./columns.js";
import { copyHeader, Profile, type Mapping, type ProfileHeader, type ValueType } from "./profile.js";
import { StringTable } from "./strings.js";

export interface LineInput {
  /** function row from addFunction, or -1 */
  func: number;
  line: number;
  column?: number;
}

export interface LabelInput {
  key: string;
  str?: string;
  num?: number;
  unit?: string;
}

export class ProfileBuilder implements ProfileHeader {
  readonly strings: StringTable;
  sampleTypes: ValueType[] = [];
  defaultSampleType = "";
  periodType: ValueType | null = null;
  period = 0;
  timeNanos = 0n;
  durationNanos = 0;
  dropFrames = "";
  keepFrames = "";
  comments: string[] = [];
  docUrl = "";
  mappings: Mapping[] = [];

  private readonly fId = new F64Column();
  private readonly fName = new U32Column();
  private readonly fSys = new U32Column();
  private readonly fFile = new U32Column();
  private readonly fStart = new F64Column();
  private readonly funcKeys = new Map<string, number>();

  private readonly lId = new F64Column();
  private readonly lMap = new I32Column();
  private readonly lAddr = new U64Column();
  private readonly lFolded = new U8Column();
  private readonly lLineStart = new U32Column();

  private readonly lnFunc = new I32Column();
  private readonly lnLine = new F64Column();
  private readonly lnCol = new F64Column();

  private readonly sValues = new F64Column();
  private readonly sStackStart = new U32Column();
  private readonly sStack = new U32Column();
  private readonly sLabelStart = new U32Column();
  private sCount = 0;

  private readonly labKey = new U32Column();
  private readonly labStr = new U32Column();
  private readonly labNum = new F64Column();
  private readonly labUnit = new U32Column();

  constructor(strings?: StringTable) {
    this.strings = strings ?? new StringTable();
    this.lLineStart.push(0);
    this.sStackStart.push(0);
    this.sLabelStart.push(0);
  }

  get functionCount(): number {
    return this.fId.length;
  }
  get locationCount(): number {
    return this.lId.length;
  }
  get sampleCount(): number {
    return this.sCount;
  }

  /** Add a function row; id defaults to row+1. */
  addFunction(name: string, systemName = name, filename = "", startLine = 0, id?: number): number {
    const row = this.fId.length;
    this.fId.push(id ?? row + 1);
    this.fName.push(this.strings.intern(name));
    this.fSys.push(this.strings.intern(systemName));
    this.fFile.push(this.strings.intern(filename));
    this.fStart.push(startLine);
    return row;
  }

  /** The row of an identical function, adding it if new. */
  internFunction(name: string, systemName = name, filename = "", startLine = 0): number {
    const key = `${name}\u0000${systemName}\u0000${filename}\u0000${startLine}`;
    let row = this.funcKeys.get(key);
    if (row === undefined) {
      row = this.addFunction(name, systemName, filename, startLine);
      this.funcKeys.set(key, row);
    }
    return row;
  }

  /** Add a location row; id defaults to row+1. mapping is a row of `mappings` or -1. */
  addLocation(lines: LineInput[], address = 0n, mapping = -1, isFolded = false, id?: number): number {
    const row = this.lId.length;
    this.lId.push(id ?? row + 1);
    this.lMap.push(mapping);
    this.lAddr.push(address);
    this.lFolded.push(isFolded ? 1 : 0);
    for (const ln of lines) {
      this.lnFunc.push(ln.func);
      this.lnLine.push(ln.line);
      this.lnCol.push(ln.column ?? 0);
    }
    this.lLineStart.push(this.lnFunc.length);
    return row;
  }

  /** Add a sample: location rows leaf first, one value per sample type. */
  addSample(locations: ArrayLike<number>, values: ArrayLike<number>, labels?: readonly LabelInput[]): number {
    for (let i = 0; i < locations.length; i++) this.sStack.push(locations[i]);
    this.sStackStart.push(this.sStack.length);
    for (let i = 0; i < values.length; i++) this.sValues.push(values[i]);
    if (labels) {
      for (const l of labels) {
        this.labKey.push(this.strings.intern(l.key));
        if (l.str !== undefined && l.str !== "") {
          this.labStr.push(this.strings.intern(l.str));
          this.labNum.push(0);
          this.labUnit.push(0);
        } else {
          this.labStr.push(0);
          this.labNum.push(l.num ?? 0);
          this.labUnit.push(l.unit ? this.strings.intern(l.unit) : 0);
        }
      }
    }
    this.sLabelStart.push(this.labKey.length);
    return this.sCount++;
  }

  build(): Profile {
    const p = new Profile({
      strings: this.strings,
      functions: {
        length: this.fId.length,
        id: this.fId.finish(),
        name: this.fName.finish(),
        systemName: this.fSys.finish(),
        filename: this.fFile.finish(),
        startLine: this.fStart.finish(),
      },
      locations: {
        length: this.lId.length,
        id: this.lId.finish(),
        mapping: this.lMap.finish(),
        address: this.lAddr.finish(),
        isFolded: this.lFolded.finish(),
        lineStart: this.lLineStart.finish(),
      },
      lines: {
        length: this.lnFunc.length,
        func: this.lnFunc.finish(),
        line: this.lnLine.finish(),
        column: this.lnCol.finish(),
      },
      samples: {
        length: this.sCount,
        values: this.sValues.finish(),
        stackStart: this.sStackStart.finish(),
        stack: this.sStack.finish(),
        labelStart: this.sLabelStart.finish(),
      },
      labels: {
        length: this.labKey.length,
        key: this.labKey.finish(),
        str: this.labStr.finish(),
        num: this.labNum.finish(),
        unit: this.labUnit.finish(),
      },
    });
    copyHeader(p, this);
    return p;
  }
}
