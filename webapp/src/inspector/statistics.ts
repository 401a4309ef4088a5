import type { ElementStatistics } from '../api/types';
import type { Counts } from './Diagram';

/** statisticsCounts maps the statistics routes' items to diagram counts. */
export function statisticsCounts(items: readonly ElementStatistics[]): Map<string, Counts> {
  const m = new Map<string, Counts>();
  for (const s of items) {
    m.set(s.elementId, { active: s.active, completed: s.completed, terminated: s.canceled, incidents: s.incidents });
  }
  return m;
}
