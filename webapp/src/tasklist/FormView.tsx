// FormView renders a Camunda Form with form-js; it is loaded lazily, only
// where a form is shown.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';

interface Props {
  schema: string;
  data: Record<string, unknown>;
  submitLabel: string;
  busy?: boolean;
  onSubmit: (data: Record<string, unknown>) => void;
}

/** FormView shows the form; submitting it with no validation errors hands its data to onSubmit. */
export default function FormView({ schema, data, submitLabel, busy, onSubmit }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const form = useRef<Form | null>(null);
  const [error, setError] = useState<string>();
  const parsed = useMemo((): { schema: unknown } | { error: string } => {
    try {
      return { schema: JSON.parse(schema) as unknown };
    } catch (e) {
      return { error: `the form's schema is not JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
  }, [schema]);
  const submit = useRef(onSubmit);
  useEffect(() => {
    submit.current = onSubmit;
  }, [onSubmit]);

  useEffect(() => {
    const el = container.current;
    if (!el || !('schema' in parsed)) return;
    const f = new Form({ container: el });
    form.current = f;
    f.importSchema(parsed.schema, data).catch((e: unknown) => {
      setError(`the form cannot be shown: ${e instanceof Error ? e.message : String(e)}`);
    });
    // Our button and a submit button inside the form both end here.
    f.on('submit', (event: { data: Record<string, unknown>; errors: Record<string, unknown> }) => {
      if (Object.keys(event.errors).length === 0) submit.current(event.data);
    });
    return () => {
      f.destroy();
      form.current = null;
    };
  }, [parsed, data]);

  return (
    <div className="form-view">
      {('error' in parsed || error) && (
        <p className="field-error" role="alert">
          {'error' in parsed ? parsed.error : error}
        </p>
      )}
      <div ref={container} />
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          // submit() validates and emits 'submit', handled above.
          form.current?.submit();
        }}
      >
        {submitLabel}
      </button>
    </div>
  );
}
