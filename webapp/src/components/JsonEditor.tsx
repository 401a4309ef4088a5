import { useId, useState } from 'react';

/** parseVariables reads a JSON object of variables; it names what is wrong otherwise. */
export function parseVariables(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { ok: false, error: 'the variables must be a JSON object, like {"approved": true}' };
  }
  return { ok: true, value: v as Record<string, unknown> };
}

/** JsonEditor edits a JSON object of variables and submits it. */
export function JsonEditor({
  label,
  submitLabel,
  initial = '{}',
  busy,
  onSubmit,
}: {
  label: string;
  submitLabel: string;
  initial?: string;
  busy?: boolean;
  onSubmit: (vars: Record<string, unknown>) => void;
}) {
  const id = useId();
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string>();
  return (
    <form
      className="json-editor"
      onSubmit={(e) => {
        e.preventDefault();
        const r = parseVariables(text);
        if (!r.ok) {
          setError(r.error);
          return;
        }
        setError(undefined);
        onSubmit(r.value);
      }}
    >
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        value={text}
        rows={6}
        spellCheck={false}
        aria-invalid={error !== undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        onChange={(e) => {
          setText(e.target.value);
        }}
      />
      {error && (
        <p id={`${id}-err`} className="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
