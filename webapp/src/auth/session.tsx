// The session: the server's auth mode and who the user is.
import { createContext, use } from 'react';
import type { AuthMode } from '../api/endpoints';
import type { Me } from '../api/types';

export interface Session {
  mode: AuthMode;
  me: Me;
}

export const SessionContext = createContext<Session | null>(null);

/** useSession gives the signed-in session; components under RequireSession only. */
export function useSession(): Session {
  const s = use(SessionContext);
  if (!s) throw new Error('useSession outside a session');
  return s;
}

export function canInspect(me: Me): boolean {
  return me.authorizedComponents.includes('operate');
}

export function canTasklist(me: Me): boolean {
  return me.authorizedComponents.includes('tasklist');
}

/** homePath is where / leads: the Tasklist for whoever may use it, else the inspector. */
export function homePath(me: Me): string {
  if (canTasklist(me)) return '/tasklist';
  if (canInspect(me)) return '/inspector/instances';
  return '/tasklist';
}

/** userName is the name to assign tasks to. */
export function userName(me: Me): string | undefined {
  return me.username ?? undefined;
}

/** safeReturnTo keeps a return path only when it is a same-site relative path. */
export function safeReturnTo(v: string | null): string {
  if (!v || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\')) return '/';
  return v;
}
