import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { QueryClientProvider } from '@tanstack/react-query';
import { makeQueryClient } from '../queryClient';
import type { Me } from '../api/types';

export function renderAt(path: string, ui: ReactNode) {
  const qc = makeQueryClient(false);
  return render(
    <QueryClientProvider client={qc}>
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}

export function meOf(p: Partial<Me>): Me {
  return {
    username: 'ann',
    displayName: 'Ann',
    authorizedComponents: ['tasklist', 'operate'],
    groups: ['sales'],
    roles: ['operator'],
    tenants: [],
    canLogout: true,
    authenticationMode: 'basic',
    ...p,
  };
}

export const task = {
  userTaskKey: '2251799813685260',
  name: 'Approve order',
  state: 'CREATED',
  elementId: 'approve',
  candidateGroups: ['sales'],
  candidateUsers: [],
  processDefinitionId: 'order',
  processDefinitionKey: '2251799813685249',
  processDefinitionVersion: 1,
  processInstanceKey: '2251799813685251',
  elementInstanceKey: '2251799813685259',
  processName: 'Order',
  creationDate: '2026-12-06T08:00:00Z',
  priority: 50,
  tenantId: '<default>',
};
