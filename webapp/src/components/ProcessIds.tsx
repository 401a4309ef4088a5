import { useQuery } from '@tanstack/react-query';
import { searchDefinitions } from '../api/endpoints';

/** processIdsQuery lists the deployed process ids (latest versions), for suggestions. */
export const processIdsQuery = {
  queryKey: ['definitions', 'latest', 'ids'],
  queryFn: () => searchDefinitions({ filter: { isLatestVersion: true }, sort: [{ field: 'processDefinitionId', order: 'ASC' }], page: { limit: 1000 } }),
  staleTime: 60_000,
} as const;

/**
 * ProcessIds is a datalist of the deployed process ids and, for one id, of its
 * versions: text fields offer them as suggestions and still take anything typed.
 */
export function ProcessIds({ id, versionsId, processId }: { id: string; versionsId?: string; processId?: string }) {
  const latest = useQuery(processIdsQuery);
  const items = latest.data?.items ?? [];
  const chosen = items.find((d) => d.processDefinitionId === processId);
  return (
    <>
      <datalist id={id}>
        {items.map((d) => (
          <option key={d.processDefinitionKey} value={d.processDefinitionId}>
            {d.name ?? d.processDefinitionId}
          </option>
        ))}
      </datalist>
      {versionsId && (
        <datalist id={versionsId}>
          {chosen && Array.from({ length: chosen.version }, (_, i) => chosen.version - i).map((v) => <option key={v} value={v} />)}
        </datalist>
      )}
    </>
  );
}
