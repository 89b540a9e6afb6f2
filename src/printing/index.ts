export { tensorRepr, type Printable, type ReprSuffix } from "./format.js";
export {
  getPrintoptions,
  setPrintoptions,
  type PrintOptions,
  type PrintProfile,
  type SetPrintOptions,
} from "./options.js";
export { formatFixed, formatSci, pyFloatRepr } from "./pyfloat.js";
