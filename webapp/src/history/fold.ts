// Replay: fold an instance's log records into what the instance looked like
// at one position, the way the engine's appliers fold them into state.
import type { HistoryRecord } from '../api/types';

export type TokenState = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

export interface FoldedElement {
  key: string;
  elementId: string;
  type?: string;
  flowScopeKey?: string;
  state: TokenState;
}

export interface ElementCounts {
  active: number;
  completed: number;
  terminated: number;
  incidents: number;
}

export interface FoldedIncident {
  key: string;
  elementId?: string;
  elementInstanceKey?: string;
  errorMessage?: string;
}

/** Folded is the instance as of one record. */
export interface Folded {
  /** position of the last record folded, or undefined before the first. */
  position?: number;
  timestamp?: string;
  elements: Map<string, FoldedElement>;
  counts: Map<string, ElementCounts>;
  takenFlows: Set<string>;
  /** variables by scope key, then name. */
  variables: Map<string, Map<string, unknown>>;
  incidents: Map<string, FoldedIncident>;
}

function scopeOf(r: HistoryRecord): string | undefined {
  return r.scopeKey ?? r.elementInstanceKey ?? r.flowScopeKey;
}

function elementKey(r: HistoryRecord): string {
  return r.elementInstanceKey ?? r.key;
}

/** fold applies the first n records (all when n is undefined). */
export function fold(records: readonly HistoryRecord[], n?: number): Folded {
  const end = n === undefined ? records.length : Math.max(0, Math.min(n, records.length));
  const out: Folded = {
    elements: new Map(),
    counts: new Map(),
    takenFlows: new Set(),
    variables: new Map(),
    incidents: new Map(),
  };
  for (let i = 0; i < end; i++) {
    const r = records[i];
    if (r === undefined) continue;
    out.position = r.position;
    out.timestamp = r.timestamp;
    switch (r.valueType) {
      case 'PROCESS_INSTANCE':
        applyElement(out, r);
        break;
      case 'VARIABLE':
        applyVariable(out, r);
        break;
      case 'INCIDENT':
        applyIncident(out, r);
        break;
    }
  }
  for (const el of out.elements.values()) {
    const c = countsFor(out, el.elementId);
    if (el.state === 'ACTIVE') c.active++;
    else if (el.state === 'COMPLETED') c.completed++;
    else c.terminated++;
  }
  for (const inc of out.incidents.values()) {
    if (inc.elementId) countsFor(out, inc.elementId).incidents++;
  }
  return out;
}

function countsFor(f: Folded, elementId: string): ElementCounts {
  let c = f.counts.get(elementId);
  if (!c) {
    c = { active: 0, completed: 0, terminated: 0, incidents: 0 };
    f.counts.set(elementId, c);
  }
  return c;
}

function applyElement(f: Folded, r: HistoryRecord): void {
  if (r.intent === 'SEQUENCE_FLOW_TAKEN') {
    if (r.elementId) f.takenFlows.add(r.elementId);
    return;
  }
  const key = elementKey(r);
  let state: TokenState | undefined;
  switch (r.intent) {
    case 'ELEMENT_ACTIVATING':
    case 'ELEMENT_ACTIVATED':
    case 'ELEMENT_COMPLETING':
    case 'ELEMENT_TERMINATING':
      state = 'ACTIVE';
      break;
    case 'ELEMENT_COMPLETED':
      state = 'COMPLETED';
      break;
    case 'ELEMENT_TERMINATED':
      state = 'TERMINATED';
      break;
  }
  if (state === undefined || !r.elementId) return;
  const prev = f.elements.get(key);
  f.elements.set(key, {
    key,
    elementId: r.elementId,
    type: r.bpmnElementType ?? prev?.type,
    flowScopeKey: r.flowScopeKey ?? prev?.flowScopeKey,
    state,
  });
}

function applyVariable(f: Folded, r: HistoryRecord): void {
  const scope = scopeOf(r);
  if (scope === undefined || r.name === undefined) return;
  let vars = f.variables.get(scope);
  if (!vars) {
    vars = new Map();
    f.variables.set(scope, vars);
  }
  vars.set(r.name, r.value);
}

function applyIncident(f: Folded, r: HistoryRecord): void {
  if (r.intent === 'CREATED') {
    f.incidents.set(r.key, {
      key: r.key,
      elementId: r.elementId,
      elementInstanceKey: r.elementInstanceKey,
      errorMessage: r.errorMessage,
    });
  } else if (r.intent === 'RESOLVED') {
    f.incidents.delete(r.key);
  }
}

/** describe is a one-line summary of a record for the timeline. */
export function describe(r: HistoryRecord): string {
  const what = r.valueType === 'VARIABLE' && r.name ? `${r.name} = ${formatValue(r.value)}` : (r.elementId ?? r.key);
  return `${r.valueType} ${r.intent} ${what}`;
}

/** formatValue shows a variable value as JSON text, as the variable routes do. */
export function formatValue(v: unknown): string {
  return v === undefined ? '' : JSON.stringify(v);
}
