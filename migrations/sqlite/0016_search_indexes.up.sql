-- Indexes for the searches docs/api.md promises are index-backed
-- (pgstore's TestSearchesUseIndexes reads their plans). None covers a
-- column that changes while an element instance or a job lives (ADR 7):
-- incidents change state once, user task rows are not HOT-updated anyway
-- (user_tasks_state covers state), and an assignee index already existed.
--
-- hasIncident of process instances (and their statistics): the open
-- incidents of an instance, without reading the resolved ones.
CREATE INDEX incidents_open_by_instance ON incidents (process_instance_key) WHERE state = 'ACTIVE';
-- Incidents of a process definition, by key or by process id.
CREATE INDEX incidents_definition ON incidents (process_definition_key);
CREATE INDEX incidents_process_id ON incidents (bpmn_process_id);
-- A task's local variables (localVariables) and a task by its element
-- instance.
CREATE INDEX user_tasks_element_instance ON user_tasks (element_instance_key);
-- Tasks of an assignee in every state (the old index held open tasks only,
-- which no search could use).
DROP INDEX user_tasks_assignee;
CREATE INDEX user_tasks_assignee ON user_tasks (assignee);
-- Message subscriptions by message name, ended ones included (the search
-- of POST /v2/message-subscriptions/search; the older index holds open
-- subscriptions only, for correlation).
CREATE INDEX message_subscriptions_name ON message_subscriptions (message_name, correlation_key);
