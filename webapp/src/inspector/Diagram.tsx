// Diagram draws a BPMN diagram with bpmn-js's NavigatedViewer (lazy: only
// the inspector loads this module) and puts counts and markers on it.
import { useEffect, useRef, useState } from 'react';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';

/** Counts are the tokens shown on one element. */
export interface Counts {
  active: number;
  completed: number;
  terminated: number;
  incidents: number;
}

interface Props {
  xml: string;
  counts?: ReadonlyMap<string, Counts>;
  /** markers: element id → CSS class (e.g. "taken" for a taken flow). */
  markers?: ReadonlyMap<string, string>;
  selected?: string;
  onSelect?: (elementId: string) => void;
  label: string;
}

interface Canvas {
  zoom(level: string): void;
  addMarker(id: string, cls: string): void;
  removeMarker(id: string, cls: string): void;
}
interface Overlays {
  add(id: string, type: string, o: { position: { bottom?: number; right?: number; top?: number; left?: number }; html: HTMLElement }): string;
  remove(filter: { type: string }): void;
}
interface ElementRegistry {
  get(id: string): { type: string } | undefined;
}
interface EventBus {
  on(event: string, cb: (e: { element: { id: string; type: string } }) => void): void;
}

function badge(cls: string, n: number, title: string): HTMLElement {
  const el = document.createElement('span');
  el.className = `badge ${cls}`;
  el.textContent = String(n);
  el.title = `${n} ${title}`;
  return el;
}

export default function Diagram({ xml, counts, markers, selected, onSelect, label }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const viewer = useRef<NavigatedViewer | null>(null);
  const [imported, setImported] = useState(0);
  const [error, setError] = useState<string>();
  const select = useRef(onSelect);
  useEffect(() => {
    select.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const v = new NavigatedViewer({ container: el });
    viewer.current = v;
    let live = true;
    v.importXML(xml)
      .then(() => {
        if (!live) return;
        v.get<Canvas>('canvas').zoom('fit-viewport');
        v.get<EventBus>('eventBus').on('element.click', (e) => {
          if (e.element.type !== 'bpmn:Process') select.current?.(e.element.id);
        });
        setImported((n) => n + 1);
      })
      .catch((e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      live = false;
      v.destroy();
      viewer.current = null;
    };
  }, [xml]);

  useEffect(() => {
    const v = viewer.current;
    if (!v || imported === 0) return;
    const overlays = v.get<Overlays>('overlays');
    const canvas = v.get<Canvas>('canvas');
    const registry = v.get<ElementRegistry>('elementRegistry');
    overlays.remove({ type: 'counts' });
    // The process itself is the canvas root: a marker on it would mark every element.
    const drawn = (id: string) => {
      const el = registry.get(id);
      return el !== undefined && el.type !== 'bpmn:Process';
    };
    const marked: [string, string][] = [];
    for (const [id, c] of counts ?? []) {
      if (!drawn(id)) continue;
      const box = document.createElement('div');
      box.className = 'badges';
      if (c.active) box.append(badge('active', c.active, 'active'));
      if (c.incidents) box.append(badge('incident', c.incidents, 'with an incident'));
      if (c.completed) box.append(badge('completed', c.completed, 'completed'));
      if (c.terminated) box.append(badge('terminated', c.terminated, 'terminated'));
      if (box.childElementCount) overlays.add(id, 'counts', { position: { bottom: 10, left: -10 }, html: box });
      if (c.active) marked.push([id, 'marker-active']);
      if (c.incidents) marked.push([id, 'marker-incident']);
    }
    for (const [id, cls] of markers ?? []) {
      if (drawn(id)) marked.push([id, cls]);
    }
    if (selected && drawn(selected)) marked.push([selected, 'marker-selected']);
    for (const [id, cls] of marked) canvas.addMarker(id, cls);
    return () => {
      for (const [id, cls] of marked) canvas.removeMarker(id, cls);
    };
  }, [counts, markers, selected, imported]);

  return (
    <figure className="diagram-wrap" aria-label={label}>
      {error && (
        <p className="field-error" role="alert">
          The diagram cannot be drawn: {error}
        </p>
      )}
      <div ref={container} className="diagram" data-imported={imported > 0 ? 'true' : 'false'} />
    </figure>
  );
}
