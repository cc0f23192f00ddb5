// SAP's JavaScript SDK (@sap-ai-sdk/ai-api) against the local stack, configured as its docs say for use outside
// BTP: the service key as JSON in AICORE_SERVICE_KEY. Driven by tests/conformance/test_js_sdk.py, which prepares
// a Git repository with the templates and reads this script's output: one `ok <step>` line per step, then
// `RESULT <json>` with what was created, so the Python side can check it with its own client (harness.mjs: the
// step lines and the failure report).
import assert from 'node:assert/strict';
import {
  ApplicationApi, ArtifactApi, ConfigurationApi, DeploymentApi, DockerRegistrySecretApi, ExecutableApi,
  ExecutionApi, ExecutionScheduleApi, FileApi, KPIApi, MetaApi, MetricsApi, ObjectStoreSecretApi, RepositoryApi,
  ResourceApi, ResourceGroupApi, ResourceQuotaApi, ScenarioApi, SecretApi, ServiceApi, TenantInfoApi,
  resolveDeploymentUrl
} from '@sap-ai-sdk/ai-api';
import { executeRequest } from '@sap-ai-sdk/core';

import { need, refused, step, until } from './harness.mjs';

const RG = need('WALK_RESOURCE_GROUP');
const REPO_URL = need('WALK_REPOSITORY_URL');
const SCENARIO = need('WALK_SCENARIO');
const TRAIN = need('WALK_TRAIN_EXECUTABLE');
const SERVE = need('WALK_SERVE_EXECUTABLE');
const NAME = need('WALK_NAME'); // prefix of tenant-level names (repository, application, secrets)
const rg = { 'AI-Resource-Group': RG };
const result = {};

await step('meta', async () => {
  const meta = await MetaApi.metaGet().execute();
  assert.ok(meta.aiApi.version);
  assert.equal(meta.extensions.dataset.capabilities.upload, true);
});

await step('tenant info, services, quotas, resources', async () => {
  assert.ok((await TenantInfoApi.tenantInfoGet().execute()).tenantId);
  assert.ok(Array.isArray((await ServiceApi.kubesubmitV4AiservicesGetAll().execute()).resources));
  assert.equal((await refused(ServiceApi.kubesubmitV4AiservicesGet('no-such-service').execute())).status, 404);
  const quota = await ResourceQuotaApi.kubesubmitV4ResourceQuotaGetDeploymentQuota({}).execute();
  assert.ok(Array.isArray(quota.quotas));
  assert.deepEqual(await ResourceApi.kubesubmitV4InstanceTypesGet().execute(), { instanceTypes: {} });
  assert.deepEqual(await ResourceApi.kubesubmitV4ResourcesGet().execute(), { resourcePlans: {} });
  const plans = { resourcePlans: [{ name: 'starter', request: 1 }] };
  const reserve = await refused(ResourceApi.kubesubmitV4ResourcesPatch(plans).execute());
  assert.equal(reserve.status, 400);
  assert.match(reserve.body.error.message, /no node pool/);
});

await step('resource group create, get, list, patch', async () => {
  const created = await ResourceGroupApi.kubesubmitV4ResourcegroupsCreate({
    resourceGroupId: RG, labels: [{ key: 'ext.ai.sap.com/owner', value: 'js-sdk' }]
  }).execute();
  assert.equal(created.resourceGroupId, RG);
  await until('resource group provisioned',
    () => ResourceGroupApi.kubesubmitV4ResourcegroupsGet(RG).execute(), group => group.status === 'PROVISIONED');
  const all = await ResourceGroupApi.kubesubmitV4ResourcegroupsGetAll({
    labelSelector: ['ext.ai.sap.com/owner=js-sdk']
  }).execute();
  assert.deepEqual(all.resources.map(group => group.resourceGroupId), [RG]);
  await ResourceGroupApi.kubesubmitV4ResourcegroupsPatch(RG, {
    labels: [{ key: 'ext.ai.sap.com/owner', value: 'js-sdk-2' }]
  }).execute();
  const patched = await ResourceGroupApi.kubesubmitV4ResourcegroupsGet(RG).execute();
  assert.deepEqual(patched.labels, [{ key: 'ext.ai.sap.com/owner', value: 'js-sdk-2' }]);
  const page = await ResourceGroupApi.kubesubmitV4ResourcegroupsGetAll({ $top: 1, $count: true }).execute();
  assert.equal(page.resources.length, 1);
  assert.ok(page.count >= 2, JSON.stringify(page)); // `default` and this one at least
});

await step('resource group delete', async () => {
  const scratch = `${RG}-scratch`;
  await ResourceGroupApi.kubesubmitV4ResourcegroupsCreate({ resourceGroupId: scratch }).execute();
  await until('scratch group provisioned', () => ResourceGroupApi.kubesubmitV4ResourcegroupsGet(scratch).execute(),
    group => group.status === 'PROVISIONED');
  await ResourceGroupApi.kubesubmitV4ResourcegroupsDelete(scratch).execute();
  await until('scratch group gone', async () => (await refused(
    ResourceGroupApi.kubesubmitV4ResourcegroupsGet(scratch).execute())).status, status => status === 404);
});

await step('repository create, get, list', async () => {
  await RepositoryApi.kubesubmitV4RepositoriesCreate({
    name: `${NAME}-repo`, url: REPO_URL, username: 'git', password: 'unused-locally'
  }).execute();
  const repo = await RepositoryApi.kubesubmitV4RepositoriesGet(`${NAME}-repo`).execute();
  assert.equal(repo.url, REPO_URL);
  const all = await RepositoryApi.kubesubmitV4RepositoriesGetAll({}).execute();
  assert.ok(all.resources.some(item => item.name === `${NAME}-repo`));
});

await step('application create, refresh, status until synced', async () => {
  await ApplicationApi.kubesubmitV4ApplicationsCreate({
    applicationName: `${NAME}-app`, repositoryUrl: REPO_URL, revision: 'HEAD', path: 'workflows'
  }).execute();
  await ApplicationApi.kubesubmitV4ApplicationsRefresh(`${NAME}-app`).execute();
  await until('application synced', () => ApplicationApi.kubesubmitV4ApplicationsGetStatus(`${NAME}-app`).execute(),
    status => status.syncStatus === 'Synced' && status.healthStatus === 'Healthy');
  const app = await ApplicationApi.kubesubmitV4ApplicationsGet(`${NAME}-app`).execute();
  assert.equal(app.repositoryUrl, REPO_URL);
  await ApplicationApi.kubesubmitV4ApplicationsUpdate(`${NAME}-app`, { repositoryUrl: REPO_URL, revision: 'HEAD',
    path: 'workflows' }).execute();
  await RepositoryApi.kubesubmitV4RepositoriesUpdate(`${NAME}-repo`, { username: 'git', password: 'rotated' })
    .execute();
  assert.ok((await ApplicationApi.kubesubmitV4ApplicationsGetAll({}).execute()).resources
    .some(item => item.applicationName === `${NAME}-app`));
});

await step('scenarios, versions, executables', async () => {
  const scenarios = await ScenarioApi.scenarioQuery(rg).execute();
  assert.ok(scenarios.resources.some(scenario => scenario.id === SCENARIO));
  assert.equal((await ScenarioApi.scenarioGet(SCENARIO, rg).execute()).id, SCENARIO);
  const versions = await ScenarioApi.scenarioQueryVersions(SCENARIO, {}, rg).execute();
  assert.ok(versions.resources.length >= 1);
  const executables = await ExecutableApi.executableQuery(SCENARIO, {}, rg).execute();
  const byId = Object.fromEntries(executables.resources.map(executable => [executable.id, executable]));
  assert.equal(byId[TRAIN].deployable, false);
  assert.equal(byId[SERVE].deployable, true);
  const train = await ExecutableApi.executableGet(SCENARIO, TRAIN, rg).execute();
  assert.ok(train.parameters.some(parameter => parameter.name === 'envexample'));
  assert.deepEqual((await ScenarioApi.scenarioQueryModels(SCENARIO, rg).execute()).resources, []);
});

await step('object store secret create, get, list', async () => {
  await ObjectStoreSecretApi.kubesubmitV4ObjectStoreSecretsCreate({ name: 'default', type: 'S3', data: {} }, rg)
    .execute();
  const secret = await ObjectStoreSecretApi.kubesubmitV4ObjectStoreSecretsGet('default', rg).execute();
  assert.equal(secret.name, 'default-object-store-secret'); // AI Core's stored name
  const all = await ObjectStoreSecretApi.kubesubmitV4ObjectStoreSecretsQuery({}, rg).execute();
  assert.ok(all.resources.some(item => item.name === 'default-object-store-secret'));
});

// The SDK percent-encodes the whole path parameter: PUT /lm/dataset/files/default%2F<rg>%2Fdata%2Ftrain.csv.
const TRAIN_CSV = 'text,label\ngood,1\nbad,0\n';
const dataPath = `default/${RG}/data/train.csv`;
await step('dataset file upload, download, delete (encoded path)', async () => {
  const blob = new Blob([TRAIN_CSV], { type: 'text/csv' });
  const created = await FileApi.fileUpload(dataPath, blob, { overwrite: true }, rg).execute();
  assert.equal(created.url, `ai://${dataPath}`);
  const again = await refused(FileApi.fileUpload(dataPath, new Blob(['x']), {}, rg).execute());
  assert.equal(again.status, 409);
  assert.equal(await FileApi.fileDownload(dataPath, rg).execute(), TRAIN_CSV);
  const scratch = `default/${RG}/scratch/delete-me.txt`;
  await FileApi.fileUpload(scratch, new Blob(['bye']), {}, rg).execute();
  await FileApi.fileDelete(scratch, rg).execute();
  assert.equal((await refused(FileApi.fileDownload(scratch, rg).execute())).status, 404);
  const escape = await refused(FileApi.fileDownload(`default/${RG}/../../other/train.csv`, rg).execute());
  assert.equal(escape.status, 400);
  result.datasetFile = dataPath;
});

await step('binary file round trip', async () => {
  // Downloads are octet streams; the SDK hands back bytes when asked for an arraybuffer.
  const bytes = Uint8Array.from({ length: 1024 }, (_, i) => i % 256);
  const path = `default/${RG}/blobs/all-bytes.bin`;
  await FileApi.fileUpload(path, new Blob([bytes], { type: 'application/octet-stream' }), {}, rg).execute();
  const back = await FileApi.fileDownload(path, rg).execute(undefined, { responseType: 'arraybuffer' });
  assert.deepEqual(new Uint8Array(back), bytes);
});

await step('model file upload', async () => {
  for (const name of ['js', 'js2']) {
    const model = await FileApi.fileUpload(`default/${RG}/models/${name}/model.txt`, new Blob([`${name}-model`]),
      { overwrite: true }, rg).execute();
    assert.equal(model.url, `ai://default/${RG}/models/${name}/model.txt`);
  }
});

let dataset, model, model2;
await step('artifact create, get, list, count', async () => {
  dataset = (await ArtifactApi.artifactCreate({
    name: 'js dataset', kind: 'dataset', url: `ai://default/${RG}/data`, scenarioId: SCENARIO,
    description: 'uploaded through FileApi', labels: [{ key: 'ext.ai.sap.com/origin', value: 'js' }]
  }, rg).execute()).id;
  model = (await ArtifactApi.artifactCreate({
    name: 'js model', kind: 'model', url: `ai://default/${RG}/models/js`, scenarioId: SCENARIO
  }, rg).execute()).id;
  model2 = (await ArtifactApi.artifactCreate({
    name: 'js model 2', kind: 'model', url: `ai://default/${RG}/models/js2`, scenarioId: SCENARIO
  }, rg).execute()).id;
  const got = await ArtifactApi.artifactGet(dataset, { $expand: 'scenario' }, rg).execute();
  assert.equal(got.url, `ai://default/${RG}/data`);
  assert.equal(got.scenario?.id, SCENARIO);
  const datasets = await ArtifactApi.artifactQuery({ scenarioId: SCENARIO, kind: 'dataset' }, rg).execute();
  assert.deepEqual(datasets.resources.map(artifact => artifact.id), [dataset]);
  // The SDK sends arrays comma-joined: artifactLabelSelector=a%3D1%2Cb!%3D2.
  const labelled = await ArtifactApi.artifactQuery({
    artifactLabelSelector: ['ext.ai.sap.com/origin=js', 'ext.ai.sap.com/origin!=python']
  }, rg).execute();
  assert.deepEqual(labelled.resources.map(artifact => artifact.id), [dataset]);
  assert.equal(Number(await ArtifactApi.artifactCount({ scenarioId: SCENARIO }, rg).execute()), 3);
  assert.equal(Number(await ArtifactApi.artifactCount({ scenarioId: SCENARIO, kind: 'model' }, rg).execute()), 2);
  result.artifacts = { dataset, model, model2 };
});

let trainConfig, holdConfig, serveConfig, serveConfig2;
await step('configuration create, get, list, count', async () => {
  const create = (name, executableId, env, key, artifactId) => ConfigurationApi.configurationCreate({
    name, scenarioId: SCENARIO, executableId, parameterBindings: [{ key: 'envexample', value: env }],
    inputArtifactBindings: [{ key, artifactId }]
  }, rg).execute();
  const created = await create('js training', TRAIN, 'js', 'dataset', dataset);
  assert.equal(created.message, 'Configuration created');
  trainConfig = created.id;
  holdConfig = (await create('js training held', TRAIN, 'hold', 'dataset', dataset)).id;
  serveConfig = (await create('js serving', SERVE, 'js', 'model', model)).id;
  serveConfig2 = (await create('js serving-2', SERVE, 'js', 'model', model2)).id;
  const got = await ConfigurationApi.configurationGet(trainConfig, { $expand: 'scenario' }, rg).execute();
  assert.equal(got.scenario?.id, SCENARIO);
  assert.deepEqual(got.parameterBindings, [{ key: 'envexample', value: 'js' }]);
  assert.deepEqual(got.inputArtifactBindings, [{ key: 'dataset', artifactId: dataset }]);
  const trains = await ConfigurationApi.configurationQuery({ scenarioId: SCENARIO, executableIds: [TRAIN] }, rg)
    .execute();
  assert.deepEqual(new Set(trains.resources.map(config => config.id)), new Set([trainConfig, holdConfig]));
  const both = await ConfigurationApi.configurationQuery({ executableIds: [TRAIN, SERVE], $top: 2, $skip: 1 }, rg)
    .execute();
  assert.equal(both.resources.length, 2);
  assert.equal(Number(await ConfigurationApi.configurationCount({ executableIds: [TRAIN, SERVE] }, rg).execute()), 4);
  // No space in the term: the SDK joins query values unencoded, and Node refuses such a path before sending it.
  const found = await ConfigurationApi.configurationQuery({ $search: 'SERVING-2', searchCaseInsensitive: true }, rg)
    .execute();
  assert.deepEqual(found.resources.map(config => config.id), [serveConfig2]);
  assert.equal(Number(await ConfigurationApi.configurationCount({ scenarioId: SCENARIO }, rg).execute()), 4);
  result.configurations = { train: trainConfig, hold: holdConfig, serve: serveConfig, serve2: serveConfig2 };
});

let execution;
await step('execution create, get, list, count, until COMPLETED', async () => {
  const created = await ExecutionApi.executionCreate({ configurationId: trainConfig }, rg).execute();
  assert.equal(created.message, 'Execution scheduled');
  execution = created.id;
  const got = await ExecutionApi.executionGet(execution, {}, rg).execute();
  assert.equal(got.configurationName, 'js training');
  const listed = await ExecutionApi.executionQuery({ configurationId: trainConfig }, rg).execute();
  assert.deepEqual(listed.resources.map(item => item.id), [execution]);
  const statuses = await ExecutionApi.executionQuery({ scenarioId: SCENARIO, $select: 'status' }, rg).execute();
  assert.deepEqual(statuses.resources.map(item => item.id), [execution]);
  assert.equal(statuses.resources[0].configurationName, undefined); // a status-only projection
  assert.equal(Number(await ExecutionApi.executionCount({ scenarioId: SCENARIO }, rg).execute()), 1);
  const done = await until('execution finished', () => ExecutionApi.executionGet(execution, { $select: 'status' }, rg)
    .execute(), item => ['COMPLETED', 'DEAD'].includes(item.status), 90);
  assert.equal(done.status, 'COMPLETED', JSON.stringify(done));
  result.execution = execution;
});

await step('execution logs, outputs, metrics', async () => {
  // The SDK types no AI-Resource-Group on the logs calls (the spec omits it); the typed way is a custom header.
  const logs = await ExecutionApi.kubesubmitV4ExecutionsGetLogs(execution, {
    $top: 100, $order: 'asc', start: new Date(Date.now() - 3600 * 1000).toISOString()
  }).addCustomHeaders(rg).execute();
  const lines = logs.data.result.map(line => line.msg);
  assert.ok(lines.includes('read 3 rows from /app/data'), JSON.stringify(lines));
  const outputs = await ArtifactApi.artifactQuery({ executionId: execution }, rg).execute();
  assert.deepEqual(outputs.resources.map(artifact => artifact.url), [`ai://default/${execution}/model`]);
  const tracked = await MetricsApi.metricsFind({ executionIds: [execution] }, rg).execute();
  assert.deepEqual(tracked.resources[0].metrics.map(metric => [metric.name, metric.value]), [['rows', 3]]);
  await MetricsApi.metricsPatch({
    executionId: execution, metrics: [{ name: 'accuracy', value: 0.9, timestamp: new Date().toISOString(), step: 2 }],
    tags: [{ name: 'sdk', value: 'js' }], customInfo: [{ name: 'note', value: '{"from": "js"}' }]
  }, rg).execute();
  const patched = await MetricsApi.metricsFind({ executionIds: [execution], $select: ['*'] }, rg).execute();
  const names = patched.resources[0].metrics.map(metric => metric.name).sort();
  assert.deepEqual(names, ['accuracy', 'rows']);
  assert.deepEqual(patched.resources[0].tags, [{ name: 'sdk', value: 'js' }]);
  const byTag = await MetricsApi.metricsFind({ tagFilters: ['sdk=js'], executionIds: [execution] }, rg).execute();
  assert.equal(byTag.resources.length, 1);
});

let held;
await step('execution stop (modify), delete, bulk modify', async () => {
  held = (await ExecutionApi.executionCreate({ configurationId: holdConfig }, rg).execute()).id;
  await until('held execution running', () => ExecutionApi.executionGet(held, {}, rg).execute(),
    item => item.status === 'RUNNING');
  const stopping = await ExecutionApi.executionModify(held, { targetStatus: 'STOPPED' }, rg).execute();
  assert.equal(stopping.id, held);
  await until('execution stopped', () => ExecutionApi.executionGet(held, {}, rg).execute(),
    item => item.status === 'STOPPED');
  const deleting = await ExecutionApi.executionDelete(held, rg).execute();
  assert.equal(deleting.id, held);
  const other = (await ExecutionApi.executionCreate({ configurationId: holdConfig }, rg).execute()).id;
  const bulk = await ExecutionApi.executionBatchModify({ executions: [{ id: other, targetStatus: 'STOPPED' }] }, rg)
    .execute();
  assert.deepEqual(bulk.executions.map(item => item.id), [other]);
  await until('bulk-stopped execution stopped', () => ExecutionApi.executionGet(other, {}, rg).execute(),
    item => item.status === 'STOPPED');
  await ExecutionApi.executionBatchModify({ executions: [{ id: other, targetStatus: 'DELETED' }] }, rg).execute();
  await until('executions deleted', () => ExecutionApi.executionCount({ configurationId: holdConfig }, rg).execute(),
    count => Number(count) === 0);
});

await step('metrics delete', async () => {
  await MetricsApi.metricsDelete({ executionId: execution }, rg).execute();
  const after = await MetricsApi.metricsFind({ executionIds: [execution] }, rg).execute();
  assert.ok(after.resources.every(item => (item.metrics ?? []).length === 0), JSON.stringify(after));
});

let deployment;
await step('deployment create, get, list, count, until RUNNING', async () => {
  const created = await DeploymentApi.deploymentCreate({ configurationId: serveConfig, ttl: '1h' }, rg).execute();
  deployment = created.id;
  assert.equal(created.message, 'Deployment scheduled');
  const listed = await DeploymentApi.deploymentQuery({ scenarioId: SCENARIO }, rg).execute();
  assert.deepEqual(listed.resources.map(item => item.id), [deployment]);
  assert.equal(Number(await DeploymentApi.deploymentCount({ configurationId: serveConfig }, rg).execute()), 1);
  const running = await until('deployment running', () => DeploymentApi.deploymentGet(deployment, {}, rg).execute(),
    item => ['RUNNING', 'DEAD'].includes(item.status), 90);
  assert.equal(running.status, 'RUNNING', JSON.stringify(running));
  assert.ok(running.deploymentUrl.endsWith(`/inference/deployments/${deployment}`), running.deploymentUrl);
  // The SDK's own lookup (RUNNING deployments of a scenario and executable) finds it too.
  assert.equal(await resolveDeploymentUrl({ scenarioId: SCENARIO, executableId: SERVE, resourceGroup: RG }),
    running.deploymentUrl);
  result.deployment = deployment;
});

await step('inference through the SDK client', async () => {
  // How the SDK's model clients call a deployment: the path below the API URL, the group in the header.
  const response = await executeRequest({ url: `/inference/deployments/${deployment}/v2/predict`, resourceGroup: RG },
    { text: 'good' });
  assert.equal(response.status, 200);
  assert.equal(response.data.model, 'js-model');
});

await step('deployment switches configuration', async () => {
  const switching = await DeploymentApi.deploymentModify(deployment, { configurationId: serveConfig2 }, rg).execute();
  assert.equal(switching.id, deployment);
  const predict = () => executeRequest({ url: `/inference/deployments/${deployment}/v2/predict`, resourceGroup: RG },
    { text: 'good' });
  await until('the new model answers', async () => (await predict()).data.model, name => name === 'js2-model', 90);
  const switched = await DeploymentApi.deploymentGet(deployment, {}, rg).execute();
  assert.equal(switched.status, 'RUNNING');
  assert.equal(switched.configurationId, serveConfig2);
  assert.equal(switched.latestRunningConfigurationId, serveConfig2);
});

await step('deployment logs, stop, delete, bulk modify', async () => {
  const logs = await DeploymentApi.kubesubmitV4DeploymentsGetLogs(deployment, { $order: 'desc' })
    .addCustomHeaders(rg).execute();
  assert.ok(logs.data.result.length > 0, JSON.stringify(logs));
  await DeploymentApi.deploymentModify(deployment, { targetStatus: 'STOPPED' }, rg).execute();
  await until('deployment stopped', () => DeploymentApi.deploymentGet(deployment, {}, rg).execute(),
    item => item.status === 'STOPPED');
  await DeploymentApi.deploymentDelete(deployment, rg).execute();
  const second = (await DeploymentApi.deploymentCreate({ configurationId: serveConfig }, rg).execute()).id;
  const bulk = await DeploymentApi.deploymentBatchModify({ deployments: [{ id: second, targetStatus: 'STOPPED' }] },
    rg).execute();
  assert.deepEqual(bulk.deployments.map(item => item.id), [second]);
  await until('bulk-stopped deployment stopped', () => DeploymentApi.deploymentGet(second, {}, rg).execute(),
    item => item.status === 'STOPPED' || item.status === 'DEAD');
  assert.equal((await DeploymentApi.deploymentGet(second, {}, rg).execute()).status, 'STOPPED');
  await DeploymentApi.deploymentBatchModify({ deployments: [{ id: second, targetStatus: 'DELETED' }] }, rg).execute();
  await until('deployments deleted', () => DeploymentApi.deploymentCount({}, rg).execute(),
    count => Number(count) === 0);
});

await step('execution schedule create, get, list, count, modify, delete', async () => {
  const start = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
  const created = await ExecutionScheduleApi.executionScheduleCreate({
    name: 'js nightly', cron: '0 3 * * *', configurationId: trainConfig, start
  }, rg).execute();
  const id = created.id;
  const got = await ExecutionScheduleApi.executionScheduleGet(id, rg).execute();
  assert.equal(got.cron, '0 3 * * *');
  assert.equal(got.status, 'ACTIVE');
  const listed = await ExecutionScheduleApi.executionScheduleQuery({ configurationId: trainConfig }, rg).execute();
  assert.deepEqual(listed.resources.map(item => item.id), [id]);
  assert.equal(Number(await ExecutionScheduleApi.executionScheduleCount({}, rg).execute()), 1);
  await ExecutionScheduleApi.executionScheduleModify(id, { status: 'INACTIVE' }, rg).execute();
  assert.equal((await ExecutionScheduleApi.executionScheduleGet(id, rg).execute()).status, 'INACTIVE');
  await ExecutionScheduleApi.executionScheduleDelete(id, rg).execute();
  const gone = await refused(ExecutionScheduleApi.executionScheduleGet(id, rg).execute());
  assert.equal(gone.status, 404);
  // The AI API's error body, as the SDK hands it over.
  assert.ok(gone.body.error.code && gone.body.error.requestId, JSON.stringify(gone.body));
  assert.match(gone.body.error.message, new RegExp(id));
});

await step('generic secret create, get, list, update, delete', async () => {
  const name = `${NAME}-token`;
  await SecretApi.kubesubmitV4GenericSecretsCreate({ name, data: { token: Buffer.from('s3cr3t').toString('base64') } },
    rg).execute();
  assert.equal((await SecretApi.kubesubmitV4GenericSecretsGet(name, rg).execute()).name, name);
  const all = await SecretApi.kubesubmitV4GenericSecretsGetAll({}, rg).execute();
  assert.ok(all.resources.some(item => item.name === name));
  await SecretApi.kubesubmitV4GenericSecretsUpdate(name, { data: { token: Buffer.from('n3w').toString('base64') } },
    rg).execute();
  await SecretApi.kubesubmitV4GenericSecretsDelete(name, rg).execute();
  assert.equal((await refused(SecretApi.kubesubmitV4GenericSecretsGet(name, rg).execute())).status, 404);
  // Main-tenant level: the SDK sends the boolean header as the text `true`.
  const tenant = { 'AI-Tenant-Scope': true };
  const tenantToken = { token: Buffer.from('t').toString('base64') };
  await SecretApi.kubesubmitV4GenericSecretsCreate({ name, data: tenantToken }, tenant).execute();
  const scoped = await SecretApi.kubesubmitV4GenericSecretsGetAll({}, tenant).execute();
  assert.ok(scoped.resources.some(item => item.name === name));
  const inGroup = await SecretApi.kubesubmitV4GenericSecretsGetAll({}, rg).execute();
  assert.ok(!inGroup.resources.some(item => item.name === name));
  await SecretApi.kubesubmitV4GenericSecretsDelete(name, tenant).execute();
});

await step('docker registry secret create, get, list, patch, delete', async () => {
  const name = `${NAME}-registry`;
  const config = JSON.stringify({ auths: { 'docker.io': { username: 'u', password: 'p' } } });
  await DockerRegistrySecretApi.kubesubmitV4DockerRegistrySecretsCreate({ name, data: { '.dockerconfigjson': config } })
    .execute();
  assert.equal((await DockerRegistrySecretApi.kubesubmitV4DockerRegistrySecretsGet(name).execute()).name, name);
  const all = await DockerRegistrySecretApi.kubesubmitV4DockerRegistrySecretsQuery({}).execute();
  assert.ok(all.resources.some(item => item.name === name));
  await DockerRegistrySecretApi.kubesubmitV4DockerRegistrySecretsPatch(name, { data: { '.dockerconfigjson': config } })
    .execute();
  await DockerRegistrySecretApi.kubesubmitV4DockerRegistrySecretsDelete(name).execute();
  assert.equal((await refused(DockerRegistrySecretApi.kubesubmitV4DockerRegistrySecretsGet(name).execute())).status,
    404);
});

await step('KPIs', async () => {
  const kpis = await KPIApi.kpiGet({}).execute();
  assert.ok(kpis.header.length > 0);
  assert.ok(kpis.rows.some(row => row.includes(RG)), JSON.stringify(kpis));
});

await step('object store secret delete', async () => {
  await ObjectStoreSecretApi.kubesubmitV4ObjectStoreSecretsPatch('default', { name: 'default', type: 'S3', data: {} },
    rg).execute();
  // Kept: the Python side reads the uploaded dataset file through it. A second secret shows delete works.
  await ObjectStoreSecretApi.kubesubmitV4ObjectStoreSecretsCreate({ name: 'scratch', type: 'S3', data: {} }, rg)
    .execute();
  await ObjectStoreSecretApi.kubesubmitV4ObjectStoreSecretsDelete('scratch', rg).execute();
  assert.equal((await refused(ObjectStoreSecretApi.kubesubmitV4ObjectStoreSecretsGet('scratch', rg).execute())).status,
    404);
});

await step('application and repository delete', async () => {
  await ApplicationApi.kubesubmitV4ApplicationsDelete(`${NAME}-app`).execute();
  assert.equal((await refused(ApplicationApi.kubesubmitV4ApplicationsGet(`${NAME}-app`).execute())).status, 404);
  await RepositoryApi.kubesubmitV4RepositoriesDelete(`${NAME}-repo`).execute();
});

console.log(`RESULT ${JSON.stringify(result)}`);
