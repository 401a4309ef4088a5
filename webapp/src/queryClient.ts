import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/problem';

/**
 * makeQueryClient is the app's query client. A 401 from any query or
 * mutation means the session ended (expired, logged out elsewhere): asking
 * who the user is again then sends them to log in. A 4xx problem is an
 * answer, so it is not retried.
 */
export function makeQueryClient(retry = true): QueryClient {
  const onError = (err: unknown) => {
    if (err instanceof ApiError && err.status === 401) void client.invalidateQueries({ queryKey: ['me'] });
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // who-am-I's own 401 is what RequireSession acts on; refetching it would loop.
      onError: (err, query) => {
        if (query.queryKey[0] !== 'me') onError(err);
      },
    }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: retry ? (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2 : false,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
