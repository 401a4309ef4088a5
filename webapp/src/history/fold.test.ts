import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../api/types';
import { describe as describeRecord, fold, formatValue } from './fold';

let pos = 0;
function rec(r: Partial<HistoryRecord> & Pick<HistoryRecord, 'valueType' | 'intent'>): HistoryRecord {
  pos++;
  return { position: pos, timestamp: `2026-12-06T08:00:${String(pos).padStart(2, '0')}Z`, key: String(100 + pos), ...r };
}

// A process: start → task (incident, resolved) → end, with a variable updated on the way.
const records: HistoryRecord[] = [
  rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_ACTIVATING', elementId: 'p', elementInstanceKey: '1', bpmnElementType: 'PROCESS' }),
  rec({ valueType: 'VARIABLE', intent: 'CREATED', name: 'n', value: 1, scopeKey: '1' }),
  rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_ACTIVATED', elementId: 'p', elementInstanceKey: '1' }),
  rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_ACTIVATING', elementId: 'start', elementInstanceKey: '2', flowScopeKey: '1' }),
  rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_COMPLETED', elementId: 'start', elementInstanceKey: '2', flowScopeKey: '1' }),
  rec({ valueType: 'PROCESS_INSTANCE', intent: 'SEQUENCE_FLOW_TAKEN', elementId: 'f1', key: '3', flowScopeKey: '1' }),
  rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_ACTIVATED', elementId: 'task', elementInstanceKey: '4', flowScopeKey: '1' }),
  rec({ valueType: 'INCIDENT', intent: 'CREATED', key: '50', elementId: 'task', elementInstanceKey: '4', errorMessage: 'no retries' }),
  rec({ valueType: 'INCIDENT', intent: 'RESOLVED', key: '50', elementId: 'task', elementInstanceKey: '4' }),
  rec({ valueType: 'VARIABLE', intent: 'UPDATED', name: 'n', value: 2, scopeKey: '1' }),
  rec({ valueType: 'JOB', intent: 'COMPLETED', key: '60' }),
  rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_COMPLETED', elementId: 'task', elementInstanceKey: '4', flowScopeKey: '1' }),
  rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_COMPLETED', elementId: 'p', elementInstanceKey: '1' }),
];

describe('fold', () => {
  it('gives an empty instance before the first record', () => {
    const f = fold(records, 0);
    expect(f.position).toBeUndefined();
    expect(f.elements.size).toBe(0);
  });

  it('shows the task active with its incident while the incident is open', () => {
    const f = fold(records, 8);
    expect(f.position).toBe(records[7]?.position);
    expect(f.counts.get('task')).toEqual({ active: 1, completed: 0, terminated: 0, incidents: 1 });
    expect(f.counts.get('start')).toEqual({ active: 0, completed: 1, terminated: 0, incidents: 0 });
    expect([...f.takenFlows]).toEqual(['f1']);
    expect(f.variables.get('1')?.get('n')).toBe(1);
  });

  it('drops a resolved incident and takes the latest variable value', () => {
    const f = fold(records, 10);
    expect(f.counts.get('task')?.incidents).toBe(0);
    expect(f.incidents.size).toBe(0);
    expect(f.variables.get('1')?.get('n')).toBe(2);
  });

  it('ends with everything completed, ignoring records of other kinds', () => {
    const f = fold(records);
    expect(f.elements.get('1')?.state).toBe('COMPLETED');
    expect(f.counts.get('p')).toEqual({ active: 0, completed: 1, terminated: 0, incidents: 0 });
    expect(f.elements.get('4')?.flowScopeKey).toBe('1');
  });

  it('clamps n into the records', () => {
    expect(fold(records, 999).position).toBe(records[records.length - 1]?.position);
    expect(fold(records, -3).position).toBeUndefined();
  });

  it('counts terminated elements', () => {
    const f = fold([
      rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_ACTIVATED', elementId: 'a', elementInstanceKey: '9' }),
      rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_TERMINATING', elementId: 'a', elementInstanceKey: '9' }),
      rec({ valueType: 'PROCESS_INSTANCE', intent: 'ELEMENT_TERMINATED', elementId: 'a', elementInstanceKey: '9' }),
    ]);
    expect(f.counts.get('a')).toEqual({ active: 0, completed: 0, terminated: 1, incidents: 0 });
  });

  it('folding step by step agrees with folding at once', () => {
    for (let n = 0; n <= records.length; n++) {
      const a = fold(records, n);
      const b = fold(records.slice(0, n));
      expect([...a.counts]).toEqual([...b.counts]);
    }
  });
});

describe('record text', () => {
  it('names variables with their value and elements by id', () => {
    expect(describeRecord(records[1] as HistoryRecord)).toBe('VARIABLE CREATED n = 1');
    expect(describeRecord(records[6] as HistoryRecord)).toBe('PROCESS_INSTANCE ELEMENT_ACTIVATED task');
    expect(formatValue({ a: [1] })).toBe('{"a":[1]}');
    expect(formatValue('x')).toBe('"x"');
    expect(formatValue(undefined)).toBe('');
  });
});
