import { useId, useState } from 'react';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { searchVariables, setVariables } from '../api/endpoints';
import { ProblemView } from '../components/ProblemView';
import { formatValue } from '../history/fold';

/** parseValue reads a variable value typed as JSON. */
export function parseValue(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: 'the value must be JSON: a number, true, "a string", {...} or [...]' };
  }
}

/** scopeVariablesQuery reads the variables of one scope. */
export const scopeVariablesQuery = (scopeKey: string, processInstanceKey: string) =>
  queryOptions({
    queryKey: ['variables', 'scope', scopeKey],
    queryFn: () => searchVariables({ filter: { scopeKey, processInstanceKey }, sort: [{ field: 'name', order: 'ASC' }], page: { limit: 1000 } }),
  });

/** VariablesPanel lists a scope's variables and edits them; while replaying it shows the replayed ones. */
export function VariablesPanel({
  scopeKey,
  processInstanceKey,
  replayed,
  replaying,
}: {
  scopeKey: string;
  processInstanceKey: string;
  replayed?: ReadonlyMap<string, unknown>;
  replaying: boolean;
}) {
  const qc = useQueryClient();
  const vars = useQuery(scopeVariablesQuery(scopeKey, processInstanceKey));
  const save = useMutation({
    mutationFn: ({ name, value }: { name: string; value: unknown }) => setVariables(scopeKey, { [name]: value }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['variables', 'scope', scopeKey] }),
  });
  return (
    <section className="variables" aria-labelledby="vars-h">
      <h2 id="vars-h">
        Variables of {scopeKey === processInstanceKey ? 'the instance' : `scope ${scopeKey}`}
        {replaying && ' (replayed)'}
      </h2>
      {replaying ? (
        <table className="vars" data-testid="replayed-variables">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {[...(replayed ?? new Map<string, unknown>())].map(([name, value]) => (
              <tr key={name}>
                <td>{name}</td>
                <td>
                  <code>{formatValue(value)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <>
          {vars.error && <ProblemView error={vars.error} />}
          <table className="vars">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {vars.data?.items.map((v) => (
                <VariableRow key={v.variableKey} name={v.name} value={v.value} busy={save.isPending} onSave={(value) => save.mutate({ name: v.name, value })} />
              ))}
            </tbody>
          </table>
          <AddVariable busy={save.isPending} onSave={(name, value) => save.mutate({ name, value })} />
          {save.error && <ProblemView error={save.error} />}
        </>
      )}
    </section>
  );
}

function VariableRow({ name, value, busy, onSave }: { name: string; value: string; busy: boolean; onSave: (v: unknown) => void }) {
  const id = useId();
  const [edit, setEdit] = useState<string>();
  const [error, setError] = useState<string>();
  if (edit === undefined) {
    return (
      <tr>
        <td>{name}</td>
        <td>
          <code>{value}</code>
        </td>
        <td>
          <button type="button" aria-label={`Edit ${name}`} onClick={() => setEdit(value)}>
            Edit
          </button>
        </td>
      </tr>
    );
  }
  return (
    <tr>
      <td>
        <label htmlFor={id}>{name}</label>
      </td>
      <td>
        <input id={id} value={edit} onChange={(e) => setEdit(e.target.value)} aria-invalid={error !== undefined} />
        {error && <span className="field-error">{error}</span>}
      </td>
      <td>
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            const r = parseValue(edit);
            if (!r.ok) {
              setError(r.error);
              return;
            }
            onSave(r.value);
            setEdit(undefined);
            setError(undefined);
          }}
        >
          Save
        </button>
        <button type="button" onClick={() => setEdit(undefined)}>
          Cancel
        </button>
      </td>
    </tr>
  );
}

function AddVariable({ busy, onSave }: { busy: boolean; onSave: (name: string, v: unknown) => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      className="inline"
      aria-label="Add a variable"
      onSubmit={(e) => {
        e.preventDefault();
        const r = parseValue(value);
        if (!name.trim() || !r.ok) {
          setError(r.ok ? 'a name is needed' : r.error);
          return;
        }
        setError(undefined);
        onSave(name.trim(), r.value);
        setName('');
        setValue('');
      }}
    >
      <label htmlFor={`${id}-n`}>New variable</label>
      <input id={`${id}-n`} value={name} onChange={(e) => setName(e.target.value)} placeholder="name" />
      <label htmlFor={`${id}-v`}>Value</label>
      <input id={`${id}-v`} value={value} onChange={(e) => setValue(e.target.value)} placeholder="JSON value" />
      <button type="submit" disabled={busy}>
        Add
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
