// Drives wf-engine through the official Camunda 8.8 JavaScript client, with
// response validation on (CAMUNDA_SDK_VALIDATION=res:strict), so that every
// answer is checked against the client's own schema. Run by compat_test.go.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import createCamundaClient from '@camunda8/orchestration-cluster-api';

const camunda = createCamundaClient();
const now = { consistency: { waitUpToMs: 0 } };
const bpmn = readFileSync(process.env.WF_COMPAT_BPMN);

function check(cond, what, value) {
  if (!cond) {
    throw new Error(`${what}: ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  }
}

async function activateOne(type = 'charge-card') {
  const res = await camunda.activateJobs({
    type, worker: 'compat', timeout: 30000, maxJobsToActivate: 1, requestTimeout: 5000,
  });
  check(res.jobs.length === 1, `activate one ${type} job`, res);
  return res.jobs[0];
}

function fixture(name) {
  return new File([readFileSync(join(process.env.WF_COMPAT_FIXTURES, name))], name, { type: 'application/xml' });
}

// waitFor polls fn until it returns something truthy, for up to 10 s.
async function waitFor(what, fn) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function completed(processInstanceKey) {
  return waitFor(`instance ${processInstanceKey} to complete`, async () => {
    const pi = await camunda.getProcessInstance({ processInstanceKey }, now);
    return pi.state === 'COMPLETED' && pi;
  });
}

// variable returns the value of a root variable of an instance.
async function variable(processInstanceKey, name) {
  const found = await camunda.searchVariables({ filter: { scopeKey: processInstanceKey, name } }, now);
  return found.items.length === 1 ? JSON.parse(found.items[0].value) : undefined;
}

async function userTasks() {
  const pi = await camunda.createProcessInstance({ processDefinitionId: 'compat-approval', variables: { amount: 250 } });
  const tasks = await camunda.searchUserTasks({ filter: { processInstanceKey: pi.processInstanceKey, state: 'CREATED' } }, now);
  check(tasks.items.length === 1, 'user task search', tasks);
  const task = tasks.items[0];
  check(task.elementId === 'Task_Approve' && task.name === 'Approve request' && task.priority === 70
    && task.candidateGroups.includes('approvers') && task.customHeaders.department === 'finance', 'user task', task);
  await camunda.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'demo' });
  const assigned = await camunda.getUserTask({ userTaskKey: task.userTaskKey }, now);
  check(assigned.assignee === 'demo' && assigned.state === 'CREATED', 'assigned user task', assigned);
  const mine = await camunda.searchUserTasks({ filter: { assignee: 'demo', candidateGroup: 'approvers' } }, now);
  check(mine.items.length === 1, 'user task search by assignee', mine);
  const vars = await camunda.searchUserTaskVariables({ userTaskKey: task.userTaskKey }, now);
  check(vars.items.map((v) => v.name).sort().join() === 'amount,large', 'user task variables', vars);
  await camunda.completeUserTask({ userTaskKey: task.userTaskKey, variables: { approved: true } });
  await completed(pi.processInstanceKey);
  const done = await camunda.getUserTask({ userTaskKey: task.userTaskKey }, now);
  check(done.state === 'COMPLETED', 'completed user task', done);
  check(await variable(pi.processInstanceKey, 'approved') === true, 'user task result variable', pi);
}

// multiInstance drives a parallel multi-instance user task: one Camunda
// user task per reviewer; the body is an element instance of type
// MULTI_INSTANCE_BODY beside its inner instances; completed in reverse
// order, the output collection keeps the input order.
async function multiInstance() {
  const dep = await camunda.createDeployment({ resources: [fixture('compat-reviews.bpmn')] });
  check(dep.deployments.length === 1, 'deployment of the multi-instance fixture', dep);
  const pi = await camunda.createProcessInstance({ processDefinitionId: 'compat-reviews', variables: { reviewers: ['ann', 'bob'] } });
  const tasks = await camunda.searchUserTasks({ filter: { processInstanceKey: pi.processInstanceKey, state: 'CREATED' } }, now);
  check(tasks.items.length === 2 && tasks.items.map((t) => t.assignee).sort().join() === 'ann,bob'
    && tasks.items.every((t) => t.elementId === 'Task_Review'), 'a user task per reviewer', tasks);
  const instances = await camunda.searchElementInstances({ filter: { processInstanceKey: pi.processInstanceKey, elementId: 'Task_Review' } }, now);
  check(instances.items.length === 3 && instances.items.filter((e) => e.type === 'MULTI_INSTANCE_BODY').length === 1
    && instances.items.filter((e) => e.type === 'USER_TASK').length === 2, 'the body and its instances', instances);
  for (const who of ['bob', 'ann']) {
    const task = tasks.items.find((t) => t.assignee === who);
    await camunda.completeUserTask({ userTaskKey: task.userTaskKey, variables: { decision: `${who}-ok` } });
  }
  await completed(pi.processInstanceKey);
  const verdicts = await variable(pi.processInstanceKey, 'verdicts');
  check(JSON.stringify(verdicts) === '["ann-ok","bob-ok"]', 'output collection in input order', verdicts);
}

async function messages() {
  const first = await camunda.createProcessInstance({ processDefinitionId: 'compat-payment', variables: { orderId: 'order-1' } });
  const correlated = await camunda.correlateMessage({ name: 'payment-received', correlationKey: 'order-1', variables: { paid: 10 } });
  check(correlated.processInstanceKey === first.processInstanceKey && correlated.messageKey, 'correlation', correlated);
  await completed(first.processInstanceKey);
  check(await variable(first.processInstanceKey, 'paid') === 10, 'correlated message variables', first);
  try {
    await camunda.correlateMessage({ name: 'payment-received', correlationKey: 'order-1' });
    throw new Error('correlating a message nobody waits for succeeded');
  } catch (err) {
    check(err.status === 404, 'correlation without a subscription', { status: err.status, title: err.title });
  }
  // Published before anybody waits: buffered until the instance subscribes.
  const published = await camunda.publishMessage({ name: 'payment-received', correlationKey: 'order-2', timeToLive: 60000, messageId: 'payment-2', variables: { paid: 20 } });
  check(published.messageKey && published.tenantId === '<default>', 'publication', published);
  const second = await camunda.createProcessInstance({ processDefinitionId: 'compat-payment', variables: { orderId: 'order-2' } });
  await completed(second.processInstanceKey);
  check(await variable(second.processInstanceKey, 'paid') === 20, 'buffered message variables', second);
}

// searches runs Camunda 8.8's richer searches over what userTasks and
// messages left behind: $or, variable and element filters, and message
// subscriptions.
async function searches() {
  const paid = await camunda.searchProcessInstances({
    filter: {
      processDefinitionId: 'compat-payment',
      $or: [
        { variables: [{ name: 'orderId', value: '"order-1"' }] },
        { variables: [{ name: 'orderId', value: { $like: '"order-2*' } }] },
      ],
    },
  }, now);
  check(paid.items.length === 2, 'instance search with $or and variable filters', paid);
  const approved = await camunda.searchProcessInstances({
    filter: { elementId: 'Task_Approve', elementInstanceState: 'COMPLETED', state: { $in: ['COMPLETED', 'ACTIVE'] } },
  }, now);
  check(approved.items.length === 1 && approved.items[0].processDefinitionId === 'compat-approval', 'instance search by element', approved);
  const tasks = await camunda.searchUserTasks({ filter: { processInstanceVariables: [{ name: 'amount', value: '250' }] } }, now);
  check(tasks.items.length === 1 && tasks.items[0].elementId === 'Task_Approve', 'user task search by a process variable', tasks);
  const subscriptions = await camunda.searchMessageSubscriptions({
    filter: { messageName: 'payment-received', messageSubscriptionState: 'CORRELATED' },
    sort: [{ field: 'correlationKey', order: 'ASC' }],
  }, now);
  check(subscriptions.items.map((m) => m.correlationKey).join() === 'order-1,order-2', 'message subscription search', subscriptions);
  const correlations = await camunda.searchCorrelatedMessageSubscriptions({
    filter: { messageName: 'payment-received', correlationTime: { $gte: '2020-01-01T00:00:00.000Z' } },
    sort: [{ field: 'correlationKey', order: 'ASC' }],
  }, now);
  check(correlations.items.map((m) => m.correlationKey).join() === 'order-1,order-2'
    && correlations.items.every((m) => m.elementInstanceKey && m.partitionId === 1), 'correlated message subscription search', correlations);
  const usage = await camunda.getUsageMetrics({ startTime: '2020-01-01T00:00:00.000Z', endTime: new Date(Date.now() + 60000).toISOString(), withTenants: true }, now);
  // int64 counts: numbers, or strings in the client's strict response validation
  check(Number(usage.processInstances) > 0 && Number(usage.decisionInstances) === 0 && Number(usage.activeTenants) === 1
    && String(usage.tenants['<default>'].processInstances) === String(usage.processInstances), 'usage metrics', usage);
  const tagged = await camunda.createProcessInstance({ processDefinitionId: 'compat-payment', variables: { orderId: 'order-9' }, tags: ['compat', 'region:eu'] });
  const byTag = await camunda.searchProcessInstances({ filter: { tags: ['compat'] } }, now);
  check(byTag.items.length === 1 && byTag.items[0].processInstanceKey === tagged.processInstanceKey
    && byTag.items[0].tags.join() === 'compat,region:eu', 'instance search by tags', byTag);
  await camunda.cancelProcessInstance({ processInstanceKey: tagged.processInstanceKey });
}

async function caughtError() {
  const pi = await camunda.createProcessInstance({ processDefinitionId: 'compat-stock' });
  const job = await activateOne('check-stock');
  await camunda.throwJobError({ jobKey: job.jobKey, errorCode: 'OUT_OF_STOCK', errorMessage: 'none left' });
  await completed(pi.processInstanceKey);
  const ends = await camunda.searchElementInstances({ filter: { processInstanceKey: pi.processInstanceKey, elementId: 'Event_Backordered' } }, now);
  check(ends.items.length === 1 && ends.items[0].state === 'COMPLETED', 'error boundary path', ends);
  const incidents = await camunda.searchIncidents({ filter: { processInstanceKey: pi.processInstanceKey } }, now);
  check(incidents.items.length === 0, 'a caught error makes no incident', incidents);
}

async function callActivity() {
  const parent = await camunda.createProcessInstance({ processDefinitionId: 'compat-shipping', variables: { items: 3 } });
  const job = await activateOne('pack-items');
  check(job.processInstanceKey !== parent.processInstanceKey && job.variables.items === 3, 'child job', job);
  const child = await camunda.getProcessInstance({ processInstanceKey: job.processInstanceKey }, now);
  check(child.parentProcessInstanceKey === parent.processInstanceKey && child.processDefinitionId === 'compat-packing', 'child instance', child);
  await camunda.completeJob({ jobKey: job.jobKey, variables: { parcels: 2 } });
  await completed(child.processInstanceKey);
  await completed(parent.processInstanceKey);
  check(await variable(parent.processInstanceKey, 'parcels') === 2, 'child result in the parent', parent);
  const hierarchy = await camunda.getProcessInstanceCallHierarchy({ processInstanceKey: child.processInstanceKey }, now);
  check(hierarchy.map((e) => e.processInstanceKey).join() === [parent.processInstanceKey, child.processInstanceKey].join()
    && hierarchy[1].processDefinitionKey === child.processDefinitionKey, 'call hierarchy', hierarchy);
  const flows = await camunda.getProcessInstanceSequenceFlows({ processInstanceKey: parent.processInstanceKey }, now);
  check(flows.items.length >= 2 && flows.items.every((f) => f.processInstanceKey === parent.processInstanceKey), 'sequence flows taken', flows);
}

async function pinnedClock() {
  const pi = await camunda.createProcessInstance({ processDefinitionId: 'compat-reminder' });
  const waiting = await camunda.getProcessInstance({ processInstanceKey: pi.processInstanceKey }, now);
  check(waiting.state === 'ACTIVE', 'instance waiting for its timer', waiting);
  await camunda.pinClock({ timestamp: Date.now() + 2 * 60 * 60 * 1000 });
  await completed(pi.processInstanceKey);
  await camunda.resetClock();
}

// refused checks that fn fails with a problem of the status and title.
async function refused(what, status, title, fn) {
  let answer;
  try {
    answer = await fn();
  } catch (err) {
    check(err.status === status && err.title === title, what, { status: err.status, title: err.title, message: err.message });
    return;
  }
  throw new Error(`${what}: succeeded with ${JSON.stringify(answer)}`);
}

// deletion reads and deletes a process definition (resource routes); one
// with an active instance is refused.
async function deletion(activeDefinitionKey) {
  await refused('deletion of a definition with an active instance', 409, 'INVALID_STATE',
    () => camunda.deleteResource({ resourceKey: activeDefinitionKey }));
  const found = await camunda.searchProcessDefinitions({ filter: { processDefinitionId: 'compat-reminder' } }, now);
  check(found.items.length === 1, 'reminder definition', found);
  const resourceKey = found.items[0].processDefinitionKey;
  const resource = await camunda.getResource({ resourceKey });
  check(resource.resourceId === 'compat-reminder' && resource.resourceName === 'compat-reminder.bpmn' && resource.version === 1
    && resource.resourceKey === resourceKey, 'resource', resource);
  const content = await camunda.getResourceContent({ resourceKey });
  check(typeof content === 'string' && content.includes('id="compat-reminder"'), 'resource content', content);
  await camunda.deleteResource({ resourceKey, operationReference: 1 });
  await refused('resource after its deletion', 404, 'NOT_FOUND', () => camunda.getResource({ resourceKey }));
  await refused('instance of a deleted definition', 404, 'NOT_FOUND',
    () => camunda.createProcessInstance({ processDefinitionId: 'compat-reminder' }));
  const left = await camunda.searchProcessDefinitions({ filter: { processDefinitionId: 'compat-reminder' } }, now);
  check(left.items.length === 0, 'definitions after the deletion', left);
}

// documents uploads a text document, downloads it by its content hash,
// reads it through a link without credentials, and deletes it; a batch of
// two stores both.
async function documents() {
  const text = 'a document from the JavaScript client'; // FormData turns a string's line breaks into CRLF
  const ref = await camunda.createDocument({
    file: text, metadata: { contentType: 'text/plain', fileName: 'note.txt', customProperties: { origin: 'compat' } },
  });
  check(ref['camunda.document.type'] === 'camunda' && ref.storeId === 'database' && /^[0-9a-f]{64}$/.test(ref.contentHash)
    && ref.metadata.fileName === 'note.txt' && ref.metadata.customProperties.origin === 'compat', 'document reference', ref);
  const content = await camunda.getDocument({ documentId: ref.documentId, contentHash: ref.contentHash });
  check(content === text, 'document content', content);
  const link = await camunda.createDocumentLink({ documentId: ref.documentId, contentHash: ref.contentHash, timeToLive: 60000 });
  const linked = await fetch(link.url);
  check(linked.status === 200 && (await linked.text()) === text, 'document by its link', link);
  await camunda.deleteDocument({ documentId: ref.documentId });
  await refused('document after its deletion', 404, 'NOT_FOUND',
    () => camunda.getDocument({ documentId: ref.documentId, contentHash: ref.contentHash }));
  const batch = await camunda.createDocuments({ files: ['one', 'two'], metadataList: [{ fileName: 'one.txt' }, { fileName: 'two.txt' }] });
  check(batch.createdDocuments.length === 2 && batch.failedDocuments.length === 0
    && batch.createdDocuments[1].metadata.fileName === 'two.txt', 'document batch', batch);
}

// modification terminates the waiting task and activates it again: the
// old job goes, a new one comes, and the instance completes with it.
async function modification() {
  const pi = await camunda.createProcessInstance({ processDefinitionId: 'order', variables: { amount: 7 } });
  const waiting = await camunda.searchElementInstances({ filter: { processInstanceKey: pi.processInstanceKey, elementId: 'charge' } }, now);
  check(waiting.items.length === 1 && waiting.items[0].state === 'ACTIVE', 'task before the modification', waiting);
  await camunda.modifyProcessInstance({
    processInstanceKey: pi.processInstanceKey,
    activateInstructions: [{ elementId: 'charge', variableInstructions: [{ variables: { retried: true } }] }],
    terminateInstructions: [{ elementInstanceKey: waiting.items[0].elementInstanceKey }],
  });
  const after = await camunda.searchElementInstances({
    filter: { processInstanceKey: pi.processInstanceKey, elementId: 'charge' }, sort: [{ field: 'startDate', order: 'ASC' }],
  }, now);
  check(after.items.length === 2 && after.items.filter((e) => e.state === 'TERMINATED').length === 1
    && after.items.filter((e) => e.state === 'ACTIVE').length === 1, 'task after the modification', after);
  await refused('activation of a start event', 400, 'INVALID_ARGUMENT',
    () => camunda.modifyProcessInstance({ processInstanceKey: pi.processInstanceKey, activateInstructions: [{ elementId: 'received' }] }));
  const job = await activateOne();
  check(job.processInstanceKey === pi.processInstanceKey && job.variables.retried === true, 'job of the activated task', job);
  await camunda.completeJob({ jobKey: job.jobKey });
  await completed(pi.processInstanceKey);
}

// migration moves an instance waiting at its task to version 2 of its
// process, where its job completes.
async function migration(v1) {
  const pi = await camunda.createProcessInstance({ processDefinitionKey: v1.processDefinitionKey });
  const v2xml = bpmn.toString().replace('name="Charge card"', 'name="Charge the card"');
  const deployed = await camunda.createDeployment({ resources: [new File([v2xml], 'order.bpmn', { type: 'application/xml' })] });
  const v2 = deployed.deployments[0].processDefinition;
  check(v2.processDefinitionVersion === 2, 'second version', deployed);
  await refused('migration with an unmapped task', 409, 'INVALID_STATE',
    () => camunda.migrateProcessInstance({ processInstanceKey: pi.processInstanceKey, targetProcessDefinitionKey: v2.processDefinitionKey, mappingInstructions: [] }));
  await camunda.migrateProcessInstance({
    processInstanceKey: pi.processInstanceKey,
    targetProcessDefinitionKey: v2.processDefinitionKey,
    mappingInstructions: [{ sourceElementId: 'charge', targetElementId: 'charge' }],
  });
  const moved = await camunda.getProcessInstance({ processInstanceKey: pi.processInstanceKey }, now);
  check(moved.processDefinitionKey === v2.processDefinitionKey && moved.processDefinitionVersion === 2, 'migrated instance', moved);
  const job = await activateOne();
  check(job.processInstanceKey === pi.processInstanceKey && job.processDefinitionVersion === 2, 'job of the migrated instance', job);
  await camunda.completeJob({ jobKey: job.jobKey });
  await completed(pi.processInstanceKey);
}

// signals broadcasts a signal: it reaches the instance waiting at a signal
// catch event, with its variables, and starts the process whose signal
// start event waits for it.
async function signals() {
  const dep = await camunda.createDeployment({ resources: ['compat-signal-wait.bpmn', 'compat-signal-start.bpmn'].map(fixture) });
  check(dep.deployments.length === 2, 'deployment of the signal fixtures', dep);
  const waiting = await camunda.createProcessInstance({ processDefinitionId: 'compat-signal-wait' });
  const sent = await camunda.broadcastSignal({ signalName: 'stock-arrived', variables: { sku: 'A-1' } });
  check(sent.signalKey && sent.tenantId === '<default>', 'signal broadcast', sent);
  await completed(waiting.processInstanceKey);
  check(await variable(waiting.processInstanceKey, 'sku') === 'A-1', 'signal variables', waiting);
  const started = await camunda.searchProcessInstances({ filter: { processDefinitionId: 'compat-signal-start' } }, now);
  check(started.items.length === 1 && started.items[0].state === 'COMPLETED', 'instance a signal started', started);
  check(await variable(started.items[0].processInstanceKey, 'sku') === 'A-1', 'variables of the instance a signal started', started);
}

async function main() {
  const topology = await camunda.getTopology();
  check(topology.brokers.length === 1 && topology.brokers[0].partitions[0].health === 'healthy', 'topology', topology);
  await camunda.getStatus();
  const license = await camunda.getLicense();
  check(license.validLicense === false && license.licenseType === 'unknown', 'license', license);

  const deployment = await camunda.createDeployment({ resources: [new File([bpmn], 'order.bpmn', { type: 'application/xml' })] });
  const definition = deployment.deployments[0].processDefinition;
  check(definition.processDefinitionId === 'order', 'deployment', deployment);

  // create, activate, complete
  const first = await camunda.createProcessInstance({ processDefinitionId: 'order', variables: { amount: 5 } });
  let job = await activateOne();
  check(job.processInstanceKey === first.processInstanceKey && job.variables.amount === 5, 'activated job', job);
  await camunda.completeJob({ jobKey: job.jobKey, variables: { paid: true } });
  const done = await camunda.getProcessInstance({ processInstanceKey: first.processInstanceKey }, now);
  check(done.state === 'COMPLETED', 'completed instance', done);

  // fail without retries: an incident
  const second = await camunda.createProcessInstance({ processDefinitionKey: definition.processDefinitionKey });
  job = await activateOne();
  await camunda.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'card declined', retryBackOff: 0 });
  const incidents = await camunda.searchIncidents({ filter: { processInstanceKey: second.processInstanceKey } }, now);
  check(incidents.items.length === 1 && incidents.items[0].errorType === 'JOB_NO_RETRIES', 'incident after failure', incidents);
  await camunda.updateJob({ jobKey: job.jobKey, changeset: { retries: 1 } });
  await camunda.resolveIncident({ incidentKey: incidents.items[0].incidentKey });

  // throw a BPMN error nobody catches: another incident
  job = await activateOne();
  await camunda.throwJobError({ jobKey: job.jobKey, errorCode: 'NO_FUNDS', errorMessage: 'empty account' });
  const thrown = await camunda.searchIncidents({ filter: { errorType: 'UNHANDLED_ERROR_EVENT' } }, now);
  check(thrown.items.length === 1, 'incident after a thrown error', thrown);

  // searches
  const instances = await camunda.searchProcessInstances({ filter: { processDefinitionId: 'order' }, sort: [{ field: 'startDate', order: 'ASC' }] }, now);
  check(instances.items.length === 2, 'instance search', instances);
  const variables = await camunda.searchVariables({ filter: { processInstanceKey: first.processInstanceKey } }, now);
  check(variables.items.length === 2, 'variable search', variables);
  const elements = await camunda.searchElementInstances({ filter: { processInstanceKey: first.processInstanceKey } }, now);
  check(elements.items.length === 4, 'element instance search', elements);
  const jobs = await camunda.searchJobs({ filter: { type: 'charge-card' } }, now);
  check(jobs.items.length === 2, 'job search', jobs);

  // job details: fetchVariable, the job filters every job answers alike, a new timeout
  const fourth = await camunda.createProcessInstance({ processDefinitionId: 'order', variables: { amount: 6, note: 'x' } });
  const fetched = await camunda.activateJobs({
    type: 'charge-card', worker: 'compat', timeout: 30000, maxJobsToActivate: 1, requestTimeout: -1, fetchVariable: ['amount', 'missing'],
  });
  job = fetched.jobs[0];
  check(fetched.jobs.length === 1 && job.processInstanceKey === fourth.processInstanceKey
    && JSON.stringify(job.variables) === '{"amount":6}', 'fetchVariable', fetched);
  const byKind = await camunda.searchJobs({
    filter: { type: 'charge-card', kind: 'BPMN_ELEMENT', listenerEventType: 'UNSPECIFIED', hasFailedWithRetriesLeft: false },
    page: { from: 0, limit: 10 },
  }, now);
  check(byKind.items.length === 3, 'job search by kind', byKind);
  await camunda.updateJob({ jobKey: job.jobKey, changeset: { timeout: 60000, retries: null } });
  await camunda.completeJob({ jobKey: job.jobKey });
  await completed(fourth.processInstanceKey);

  // cancel
  const third = await camunda.createProcessInstance({ processDefinitionId: 'order' });
  await camunda.cancelProcessInstance({ processInstanceKey: third.processInstanceKey });
  const cancelled = await camunda.getProcessInstance({ processInstanceKey: third.processInstanceKey }, now);
  check(cancelled.state === 'TERMINATED', 'cancelled instance', cancelled);

  // Camunda user tasks, messages, a caught BPMN error, a call activity, the clock
  const more = await camunda.createDeployment({
    resources: ['compat-approval.bpmn', 'compat-payment.bpmn', 'compat-stock.bpmn', 'compat-shipping.bpmn', 'compat-packing.bpmn', 'compat-reminder.bpmn'].map(fixture),
  });
  check(more.deployments.length === 6, 'deployment of the fixtures', more);
  await userTasks();
  await messages();
  await searches();
  await caughtError();
  await callActivity();
  await pinnedClock();
  await deletion(definition.processDefinitionKey);
  await modification();
  await migration(definition);
  await documents();
  await multiInstance();
  await signals();

  // errors reach the client as problem details
  try {
    await camunda.completeJob({ jobKey: '12345' });
    throw new Error('completing an unknown job succeeded');
  } catch (err) {
    check(err.status === 404 && err.title === 'NOT_FOUND', 'unknown job error', { status: err.status, title: err.title, message: err.message });
  }
  console.log('compat ok');
}

// expectUnauthorized checks that the engine refuses the client
// (WF_COMPAT_EXPECT=unauthorized): its first call fails with a 401 problem.
async function expectUnauthorized() {
  try {
    await camunda.getTopology();
  } catch (err) {
    check(err.status === 401 && err.title === 'UNAUTHORIZED', 'refused call', { status: err.status, title: err.title, name: err.name });
    console.log('compat unauthorized ok');
    return;
  }
  throw new Error('the engine answered without valid credentials');
}

const expect = process.env.WF_COMPAT_EXPECT;
(expect === 'unauthorized' ? expectUnauthorized() : main()).catch((err) => {
  console.error('compat failed:', err && (err.stack || err));
  process.exit(1);
});
