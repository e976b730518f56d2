function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known name a typo most likely meant, if any is close: `replayProtecton` →
 * `replayProtection`, and a name missing its unit suffix (`ttl` → `ttlMs`).
 */
export function closestName(typed: string, known: readonly string[]): string | undefined {
  const lowered = typed.toLowerCase();
  const extensions = known.filter((name) => name.toLowerCase().startsWith(lowered));
  if (typed.length >= 3 && extensions.length === 1) return extensions[0];
  const tolerance = Math.max(1, Math.floor(typed.length / 4));
  let best: string | undefined;
  let bestDistance = tolerance + 1;
  for (const name of known) {
    const distance = editDistance(lowered, name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}
