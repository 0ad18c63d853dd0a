/**
 * The settings an update command really changes: fields it gives with a value
 * other than the current one. Update events carry only these, so a projection
 * (or a person reading the log) sees what changed, and a repeated update
 * decides no event at all.
 */
export function changesBetween<S extends object>(current: S, given: Partial<S>, keys: readonly (keyof S)[]): Partial<S> {
  const changes: Partial<S> = {};
  for (const key of keys) {
    const value = given[key];
    // Values are primitives or lists of primitives: their JSON compares them.
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(current[key])) changes[key] = value;
  }
  return changes;
}
