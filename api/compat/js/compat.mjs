// Drives wf-engine through the official Camunda 8.8 JavaScript client, with
// response validation on (CAMUNDA_SDK_VALIDATION=res:strict), so that every
// answer is checked against the client's own schema. Run by compat_test.go.
import { readFileSync } from 'node:fs';
import createCamundaClient from '@camunda8/orchestration-cluster-api';

const camunda = createCamundaClient();
const now = { consistency: { waitUpToMs: 0 } };
const bpmn = readFileSync(process.env.WF_COMPAT_BPMN);

function check(cond, what, value) {
  if (!cond) {
    throw new Error(`${what}: ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  }
}

async function activateOne() {
  const res = await camunda.activateJobs({
    type: 'charge-card', worker: 'compat', timeout: 30000, maxJobsToActivate: 1, requestTimeout: 5000,
  });
  check(res.jobs.length === 1, 'activate one job', res);
  return res.jobs[0];
}

async function main() {
  const topology = await camunda.getTopology();
  check(topology.brokers.length === 1, 'topology', topology);

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

  // cancel
  const third = await camunda.createProcessInstance({ processDefinitionId: 'order' });
  await camunda.cancelProcessInstance({ processInstanceKey: third.processInstanceKey });
  const cancelled = await camunda.getProcessInstance({ processInstanceKey: third.processInstanceKey }, now);
  check(cancelled.state === 'TERMINATED', 'cancelled instance', cancelled);

  // errors reach the client as problem details
  try {
    await camunda.completeJob({ jobKey: '12345' });
    throw new Error('completing an unknown job succeeded');
  } catch (err) {
    check(err.status === 404 && err.title === 'NOT_FOUND', 'unknown job error', { status: err.status, title: err.title, message: err.message });
  }
  console.log('compat ok');
}

main().catch((err) => {
  console.error('compat failed:', err && (err.stack || err));
  process.exit(1);
});
