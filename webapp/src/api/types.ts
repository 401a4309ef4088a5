// Shapes of the engine's answers (api/openapi.yaml), the subset the UI reads.

export interface PageResponse {
  totalItems: number;
  hasMoreTotalItems?: boolean;
  startCursor?: string;
  endCursor?: string;
}

export interface SearchResult<T> {
  items: T[];
  page: PageResponse;
}

export type FilterValue =
  | string
  | number
  | boolean
  | {
      $eq?: string | number | boolean;
      $neq?: string | number | boolean;
      $exists?: boolean;
      $gt?: string | number;
      $gte?: string | number;
      $lt?: string | number;
      $lte?: string | number;
      $in?: (string | number)[];
      $notIn?: (string | number)[];
      $like?: string;
    };

export interface PageRequest {
  from?: number;
  limit?: number;
  after?: string;
  before?: string;
}

export interface SearchRequest {
  filter?: Record<string, FilterValue>;
  sort?: { field: string; order?: 'ASC' | 'DESC' }[];
  page?: PageRequest;
}

export interface Me {
  username?: string | null;
  displayName?: string | null;
  email?: string | null;
  authorizedComponents: string[];
  groups: string[];
  roles: string[];
  tenants: { tenantId: string; name: string }[];
  canLogout: boolean;
  clientId?: string;
  authenticationMode?: 'none' | 'basic' | 'oidc';
}

export interface UserTask {
  userTaskKey: string;
  name: string;
  state: string;
  assignee?: string;
  elementId: string;
  candidateGroups: string[];
  candidateUsers: string[];
  processDefinitionId: string;
  processDefinitionKey: string;
  processDefinitionVersion: number;
  processInstanceKey: string;
  elementInstanceKey: string;
  processName: string;
  creationDate?: string;
  completionDate?: string;
  dueDate?: string;
  followUpDate?: string;
  priority: number;
  tenantId: string;
  formKey?: string;
}

export interface Variable {
  name: string;
  value: string;
  isTruncated?: boolean;
  variableKey: string;
  scopeKey: string;
  processInstanceKey: string;
  tenantId: string;
}

export interface Form {
  formKey: string;
  formId?: string;
  tenantId?: string;
  schema: string;
  version?: number;
}

export interface ProcessDefinition {
  processDefinitionKey: string;
  processDefinitionId: string;
  name?: string;
  resourceName?: string;
  version: number;
  versionTag?: string;
  tenantId: string;
  hasStartForm?: boolean;
}

export type InstanceState = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

export interface ProcessInstance {
  processInstanceKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  processDefinitionName?: string;
  processDefinitionVersion: number;
  startDate: string;
  endDate?: string;
  state: InstanceState;
  hasIncident: boolean;
  tenantId: string;
  parentProcessInstanceKey?: string;
  parentElementInstanceKey?: string;
}

export interface ElementInstance {
  elementInstanceKey: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  elementId: string;
  elementName: string;
  type: string;
  state: InstanceState;
  hasIncident: boolean;
  startDate: string;
  endDate?: string;
  incidentKey?: string;
}

export interface Incident {
  incidentKey: string;
  processInstanceKey: string;
  elementId: string;
  elementInstanceKey: string;
  errorType: string;
  errorMessage: string;
  creationTime?: string;
  state: string;
  jobKey?: string;
}

export interface ElementStatistics {
  elementId: string;
  active: number;
  canceled: number;
  incidents: number;
  completed: number;
}

/** HistoryRecord is one record of an instance's command log (GET /v2/x/process-instances/{key}/history). */
export interface HistoryRecord {
  position: number;
  timestamp: string;
  valueType: string;
  intent: string;
  key: string;
  elementId?: string;
  elementInstanceKey?: string;
  flowScopeKey?: string;
  scopeKey?: string;
  bpmnElementType?: string;
  variables?: Record<string, unknown>;
  name?: string;
  value?: unknown;
  errorMessage?: string;
}

export interface DeploymentResult {
  deploymentKey: string;
  deployments: {
    processDefinition?: { processDefinitionId: string; processDefinitionKey: string; processDefinitionVersion: number };
    form?: { formId: string; formKey: string; version: number };
  }[];
}
