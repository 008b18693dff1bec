// Case-file paths: the edit helpers of the case screen. (Money, dates and words per
// language are in i18n.ts.)

import type { CaseFile } from "./bindings";

/** The dotted paths into `T` ("parties.0.full_name"), from its generated type: an index
 * of an array is a number, a nullable object's fields are paths too (an edit makes it). */
export type PathOf<T, Depth extends unknown[] = []> = Depth["length"] extends 6
  ? never
  : T extends readonly (infer U)[]
    ? `${number}` | `${number}.${PathOf<U, [...Depth, 1]>}`
    : T extends object
      ? {
          [K in keyof T & string]: `${K}` | (NonNullable<T[K]> extends object ? `${K}.${PathOf<NonNullable<T[K]>, [...Depth, 1]>}` : never);
        }[keyof T & string]
      : never;

/** A path into the case file: a misspelt field of the form does not compile. */
export type CasePath = PathOf<CaseFile>;

/** Immutable update of a value at a dotted path ("parties.0.full_name"). */
export function setIn<T>(obj: T, path: string, value: unknown): T {
  const keys = path.split(".");
  const walk = (node: unknown, i: number): unknown => {
    if (i === keys.length) return value;
    const k = keys[i];
    if (Array.isArray(node)) {
      const copy = node.slice();
      copy[Number(k)] = walk(node[Number(k)], i + 1);
      return copy;
    }
    const rec = (node ?? {}) as Record<string, unknown>;
    return { ...rec, [k]: walk(rec[k], i + 1) };
  };
  return walk(obj, 0) as T;
}

export function getIn(obj: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, k) => (node === null || node === undefined ? undefined : (node as Record<string, unknown>)[k]), obj);
}
