import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { definitionStatistics, definitionXML, getDefinition, searchDefinitions } from '../api/endpoints';
import type { ProcessDefinition } from '../api/types';
import { ProblemView } from '../components/ProblemView';
import Diagram from './Diagram';
import { statisticsCounts } from './statistics';


/** groupVersions groups definitions by process id, newest version first. */
export function groupVersions(defs: readonly ProcessDefinition[]): Map<string, ProcessDefinition[]> {
  const m = new Map<string, ProcessDefinition[]>();
  for (const d of defs) {
    const k = `${d.tenantId}/${d.processDefinitionId}`;
    const list = m.get(k) ?? [];
    list.push(d);
    m.set(k, list);
  }
  for (const list of m.values()) list.sort((a, b) => b.version - a.version);
  return m;
}

export function ProcessList() {
  const defs = useQuery({
    queryKey: ['definitions', 'all'],
    queryFn: () => searchDefinitions({ sort: [{ field: 'processDefinitionId', order: 'ASC' }], page: { limit: 1000 } }),
  });
  const groups = groupVersions(defs.data?.items ?? []);
  return (
    <section aria-labelledby="procs-h">
      <h1 id="procs-h">Processes</h1>
      {defs.error && <ProblemView error={defs.error} onRetry={() => void defs.refetch()} />}
      {defs.isSuccess && groups.size === 0 && <p className="empty">No processes are deployed.</p>}
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Process</th>
            <th scope="col">Versions</th>
            <th scope="col">Tenant</th>
          </tr>
        </thead>
        <tbody>
          {[...groups.values()].map((versions) => {
            const latest = versions[0];
            if (!latest) return null;
            return (
              <tr key={`${latest.tenantId}/${latest.processDefinitionId}`}>
                <td>
                  <Link to={`/inspector/processes/${latest.processDefinitionKey}`}>{latest.name || latest.processDefinitionId}</Link>
                  <div className="hint">{latest.processDefinitionId}</div>
                </td>
                <td>
                  {versions.map((v) => (
                    <Link key={v.processDefinitionKey} className="chip" to={`/inspector/processes/${v.processDefinitionKey}`}>
                      v{v.version}
                    </Link>
                  ))}
                </td>
                <td>{latest.tenantId}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function ProcessView() {
  const { processDefinitionKey = '' } = useParams();
  const def = useQuery({ queryKey: ['definition', processDefinitionKey], queryFn: () => getDefinition(processDefinitionKey) });
  const xml = useQuery({ queryKey: ['definition', processDefinitionKey, 'xml'], queryFn: () => definitionXML(processDefinitionKey), staleTime: Infinity });
  const stats = useQuery({ queryKey: ['definition', processDefinitionKey, 'statistics'], queryFn: () => definitionStatistics(processDefinitionKey) });
  const versions = useQuery({
    queryKey: ['definitions', 'versions', def.data?.processDefinitionId, def.data?.tenantId],
    enabled: def.isSuccess,
    queryFn: () =>
      searchDefinitions({
        filter: { processDefinitionId: def.data?.processDefinitionId ?? '', tenantId: def.data?.tenantId ?? '' },
        sort: [{ field: 'version', order: 'DESC' }],
        page: { limit: 100 },
      }),
  });
  if (def.error) return <ProblemView error={def.error} />;
  if (!def.data) return <p aria-busy="true">Loading…</p>;
  const d = def.data;
  const instancesLink = `/inspector/instances?process=${encodeURIComponent(d.processDefinitionId)}&version=${d.version}`;
  return (
    <section aria-labelledby="proc-h">
      <h1 id="proc-h">
        {d.name || d.processDefinitionId} <span className="hint">version {d.version}</span>
      </h1>
      <p>
        <Link to={instancesLink}>Instances of this version</Link> · resource {d.resourceName} · key {d.processDefinitionKey}
      </p>
      <nav aria-label="Versions" className="chips">
        {versions.data?.items.map((v) => (
          <Link key={v.processDefinitionKey} className="chip" aria-current={v.processDefinitionKey === d.processDefinitionKey ? 'page' : undefined} to={`/inspector/processes/${v.processDefinitionKey}`}>
            v{v.version}
          </Link>
        ))}
      </nav>
      {xml.error && <ProblemView error={xml.error} />}
      {stats.error && <ProblemView error={stats.error} />}
      {xml.data && (
        <Diagram xml={xml.data} counts={stats.data ? statisticsCounts(stats.data.items) : undefined} label={`Diagram of ${d.processDefinitionId}`} />
      )}
    </section>
  );
}
