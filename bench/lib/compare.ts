/** Compares two JSON bodies exactly (values and key order) and describes the differences. */

function differences(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length >= 25) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} ≠ ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++)
      differences(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (const k of ka) {
      if (!(k in b))
        out.push(
          `${path}.${k}: only in app (${JSON.stringify((a as Record<string, unknown>)[k])})`,
        );
    }
    for (const k of kb) {
      if (!(k in a))
        out.push(
          `${path}.${k}: only in baseline (${JSON.stringify((b as Record<string, unknown>)[k])})`,
        );
    }
    for (const k of ka) {
      if (k in b)
        differences(
          (a as Record<string, unknown>)[k],
          (b as Record<string, unknown>)[k],
          `${path}.${k}`,
          out,
        );
    }
    if (out.length === 0 && ka.join() !== kb.join()) {
      out.push(`${path}: key order differs: app ${ka.join(',')} / baseline ${kb.join(',')}`);
    }
    return;
  }
  if (!Object.is(a, b))
    out.push(`${path}: app ${JSON.stringify(a)} ≠ baseline ${JSON.stringify(b)}`);
}

/** Empty when the two bodies are the same JSON text; else a readable list of differences. */
export function jsonDiff(appBody: string, baselineBody: string): string[] {
  if (appBody === baselineBody) return [];
  const out: string[] = [];
  let a: unknown;
  let b: unknown;
  try {
    a = JSON.parse(appBody);
    b = JSON.parse(baselineBody);
  } catch {
    return [`not JSON: app ${appBody.slice(0, 200)} / baseline ${baselineBody.slice(0, 200)}`];
  }
  differences(a, b, '$', out);
  return out.length > 0 ? out : ['the texts differ but parse to the same values (spacing?)'];
}
