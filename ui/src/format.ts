// Case-file paths: the edit helpers of the case screen. (Money, dates and words per
// language are in i18n.ts.)

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
