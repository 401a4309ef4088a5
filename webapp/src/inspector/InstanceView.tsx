import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { cancelInstance, definitionXML, getInstance, instanceStatistics, searchInstances } from '../api/endpoints';
import { ProblemView } from '../components/ProblemView';
import Diagram from './Diagram';
import { formatDate } from '../components/format';
import { statisticsCounts } from './statistics';
import { ElementTree, treeLevelQuery } from './ElementTree';
import { scopeVariablesQuery, VariablesPanel } from './VariablesPanel';
import { incidentsQuery, IncidentsPanel } from './IncidentsPanel';
import { Replay, useHistory } from './Replay';
import { fold } from '../history/fold';


/** InstanceView is one process instance: diagram, tree, variables, incidents and its history. */
export function InstanceView() {
  const { processInstanceKey = '' } = useParams();
  const qc = useQueryClient();
  const [scope, setScope] = useState<string>();
  const [selectedElement, setSelectedElement] = useState<string>();
  const [replayAt, setReplayAt] = useState<number>();
  const inst = useQuery({ queryKey: ['instance', processInstanceKey], queryFn: () => getInstance(processInstanceKey) });
  const defKey = inst.data?.processDefinitionKey;
  const xml = useQuery({
    queryKey: ['definition', defKey, 'xml'],
    enabled: defKey !== undefined,
    queryFn: () => definitionXML(defKey ?? ''),
    staleTime: Infinity,
  });
  const stats = useQuery({ queryKey: ['instance', processInstanceKey, 'statistics'], queryFn: () => instanceStatistics(processInstanceKey) });
  const children = useQuery({
    queryKey: ['instance', processInstanceKey, 'children'],
    queryFn: () => searchInstances({ filter: { parentProcessInstanceKey: processInstanceKey }, page: { limit: 100 } }),
  });
  // Started with the instance, not after it: the panels below read these.
  useQuery(treeLevelQuery(processInstanceKey));
  useQuery(scopeVariablesQuery(processInstanceKey, processInstanceKey));
  useQuery(incidentsQuery(processInstanceKey));
  const history = useHistory(processInstanceKey, replayAt !== undefined);
  const cancel = useMutation({
    mutationFn: () => cancelInstance(processInstanceKey),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['instance', processInstanceKey] }),
  });
  const replaying = replayAt !== undefined && history.data !== undefined;
  const folded = useMemo(() => (replayAt !== undefined && history.data ? fold(history.data, replayAt) : undefined), [history.data, replayAt]);
  const liveCounts = useMemo(() => (stats.data ? statisticsCounts(stats.data.items) : undefined), [stats.data]);
  const markers = useMemo(() => (folded ? new Map([...folded.takenFlows].map((id) => [id, 'marker-taken'])) : undefined), [folded]);

  if (inst.error) return <ProblemView error={inst.error} onRetry={() => void inst.refetch()} />;
  if (!inst.data) return <p aria-busy="true">Loading the instance…</p>;
  const i = inst.data;
  const scopeKey = scope ?? i.processInstanceKey;
  return (
    <section className="instance" aria-labelledby="instance-h">
      <div className="pane-head">
        <h1 id="instance-h">
          {i.processDefinitionName || i.processDefinitionId} <span className="hint">instance {i.processInstanceKey}</span>
        </h1>
        {i.state === 'ACTIVE' && (
          <button
            type="button"
            className="danger"
            disabled={cancel.isPending}
            onClick={() => {
              if (window.confirm('Cancel this instance?')) cancel.mutate();
            }}
          >
            Cancel instance
          </button>
        )}
      </div>
      {cancel.error && <ProblemView error={cancel.error} />}
      <dl className="facts">
        <dt>State</dt>
        <dd>
          <span className={`state state-${i.state.toLowerCase()}`} data-testid="instance-state">
            {i.state}
          </span>
          {i.hasIncident && <span className="state state-incident">incident</span>}
        </dd>
        <dt>Process</dt>
        <dd>
          <Link to={`/inspector/processes/${i.processDefinitionKey}`}>
            {i.processDefinitionId} v{i.processDefinitionVersion}
          </Link>
        </dd>
        <dt>Started</dt>
        <dd>{formatDate(i.startDate)}</dd>
        {i.endDate && (
          <>
            <dt>Ended</dt>
            <dd>{formatDate(i.endDate)}</dd>
          </>
        )}
        {i.parentProcessInstanceKey && (
          <>
            <dt>Parent</dt>
            <dd>
              <Link to={`/inspector/instances/${i.parentProcessInstanceKey}`}>instance {i.parentProcessInstanceKey}</Link>
            </dd>
          </>
        )}
        {children.data && children.data.items.length > 0 && (
          <>
            <dt>Called instances</dt>
            <dd>
              {children.data.items.map((c) => (
                <Link key={c.processInstanceKey} className="chip" to={`/inspector/instances/${c.processInstanceKey}`}>
                  {c.processDefinitionId} {c.processInstanceKey}
                </Link>
              ))}
            </dd>
          </>
        )}
      </dl>

      <Replay
        records={history.data}
        loading={history.isFetching}
        error={history.error}
        at={replayAt}
        onChange={setReplayAt}
      />

      {xml.error && <ProblemView error={xml.error} />}
      {stats.error && <ProblemView error={stats.error} />}
      {xml.data && (
        <Diagram
            xml={xml.data}
            counts={folded ? folded.counts : liveCounts}
            markers={markers}
            selected={selectedElement}
            onSelect={setSelectedElement}
            label={`Diagram of instance ${i.processInstanceKey}${replaying ? ' as replayed' : ''}`}
          />
      )}

      <div className="columns">
        <ElementTree
          processInstanceKey={i.processInstanceKey}
          selectedScope={scopeKey}
          elementFilter={selectedElement}
          onClearFilter={() => setSelectedElement(undefined)}
          replaying={replaying}
          onSelect={(key, elementId) => {
            setScope(key);
            setSelectedElement(elementId);
          }}
        />
        <VariablesPanel scopeKey={scopeKey} processInstanceKey={i.processInstanceKey} replayed={folded?.variables.get(scopeKey)} replaying={replaying} />
      </div>
      <IncidentsPanel processInstanceKey={i.processInstanceKey} />
    </section>
  );
}
