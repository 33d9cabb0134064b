// Evaluates keyward's generated ValidatingAdmissionPolicies as the
// kube-apiserver does, with an independent CEL implementation
// (@bufbuild/cel, conformance-tested against cel-spec), for the
// differential test (tests/vap/vap_differential_test.cc).
//
//   node evaluate.mjs TOOLS_DIR INPUT.json > OUTPUT.json
//
// INPUT: {policies: [ValidatingAdmissionPolicy], params: KeyPolicyParams,
//         cases: [{request, object, oldObject, namespaceObject}]}
// OUTPUT: [{denied, errors: [text], messages: [text], cost: {expression, policy}}]
// in the cases' order.
// A validation that evaluates to false denies with its messageExpression
// (its message when that fails); one that fails to evaluate denies too, as
// under failurePolicy: Fail, and is listed in errors: the generated CEL must
// never fail on an object the CRD schema admits.
//
// Runtime cost, approximated as cel-go's tracker counts it for Kubernetes:
// one unit per node evaluated (a comprehension's body once per element),
// plus a tenth of a unit per character a string function reads (rounded
// up). `cost.expression` is the largest of any one expression (variables
// included) for the case, `cost.policy` the largest sum over one policy.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [toolsDir, inputPath] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(toolsDir, "npm/node_modules/@bufbuild/cel/dist/esm", path)).href);
const cel = await load("index.js");
const { strings } = await load("ext/index.js");
const env = cel.celEnv({ funcs: strings });
const { Planner } = await load("planner.js");

// Counts node evaluations: every interpretable's eval is wrapped once, its
// classes found by planning an expression that uses each kind of node.
let cost = 0;
const STRING_FUNCTIONS = new Set(["matches", "contains", "startsWith", "endsWith", "split", "substring",
                                  "indexOf", "lastIndexOf", "replace", "lowerAscii", "upperAscii", "trim"]);
const stringCost = (values) => {
  let characters = 0;
  for (const v of values) if (typeof v === "string") characters += v.length;
  return Math.ceil(characters / 10);
};
{
  const sample = new Planner(env.funcs, env.registry, env.namespace).plan(cel.parse(
      "has(a.b) && [1].all(x, x > 0) || {'k': 1}['k'] == size(a.c) || !('x'.startsWith('y')) || (a.d ? 1 : 2) == 1").expr);
  const prototypes = new Set();
  const seen = new Set();
  const walk = (node) => {
    if (node === null || typeof node !== "object" || seen.has(node)) return;
    seen.add(node);
    if (typeof node.eval === "function") prototypes.add(Object.getPrototypeOf(node));
    for (const v of Object.values(node)) Array.isArray(v) ? v.forEach(walk) : walk(v);
  };
  walk(sample);
  for (const prototype of prototypes) {
    const original = prototype.eval;
    prototype.eval = function (ctx) {
      cost += 1;
      if (this.func !== undefined && STRING_FUNCTIONS.has(this.name)) {
        const func = this.func;
        this.func = { call: (id, target, vals) => { cost += stringCost([target, ...vals]); return func.call(id, target, vals); } };
        try {
          return original.call(this, ctx);
        } finally {
          this.func = func;
        }
      }
      return original.call(this, ctx);
    };
  }
}

// JSON as CEL sees Kubernetes objects: integers are int, objects are maps.
function toCel(value) {
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === "object") {
    const map = new Map();
    for (const [k, v] of Object.entries(value)) map.set(k, toCel(v));
    return map;
  }
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  return value;
}

const programs = new Map();
function program(expression) {
  let planned = programs.get(expression);
  if (planned === undefined) {
    try {
      planned = cel.plan(env, cel.parse(expression));
    } catch (e) {
      planned = () => cel.celError(`does not parse: ${e.message}`);
    }
    programs.set(expression, planned);
  }
  return planned;
}

function evaluate(expression, bindings) {
  cost = 0;
  const result = program(expression)(bindings);
  return cel.isCelError(result) ? { error: String(result.message ?? result), cost } : { value: result, cost };
}

function matches(policy, request) {
  for (const rule of policy.spec.matchConstraints.resourceRules) {
    if (!rule.apiGroups.includes(request.kind.group)) continue;
    if (!rule.operations.includes(request.operation)) continue;
    if (rule.resources.includes(request.resource.resource)) return true;
  }
  return false;
}

const input = JSON.parse(readFileSync(inputPath, "utf8"));
const params = toCel(input.params);
const output = [];
for (const c of input.cases) {
  const verdict = { denied: false, errors: [], messages: [], cost: { expression: 0, policy: 0 } };
  const spend = (result, policyCost) => {
    verdict.cost.expression = Math.max(verdict.cost.expression, result.cost);
    return policyCost + result.cost;
  };
  const bindings = {
    object: toCel(c.object ?? null),
    oldObject: toCel(c.oldObject ?? null),
    request: toCel(c.request),
    namespaceObject: toCel(c.namespaceObject ?? null),
    params,
  };
  for (const policy of input.policies) {
    if (!matches(policy, c.request)) continue;
    // Variables in order, each seeing those before it.
    const variables = new Map();
    bindings.variables = variables;
    let variableError = "";
    let policyCost = 0;
    for (const variable of policy.spec.variables ?? []) {
      const result = evaluate(variable.expression, bindings);
      policyCost = spend(result, policyCost);
      if (result.error !== undefined) {
        variableError = `${policy.metadata.name}: variable ${variable.name}: ${result.error}`;
        break;
      }
      variables.set(variable.name, result.value);
    }
    if (variableError !== "") {
      verdict.denied = true;
      verdict.errors.push(variableError);
      continue;
    }
    for (const validation of policy.spec.validations) {
      const result = evaluate(validation.expression, bindings);
      policyCost = spend(result, policyCost);
      verdict.cost.policy = Math.max(verdict.cost.policy, policyCost);
      if (result.error !== undefined) {
        verdict.denied = true;
        verdict.errors.push(`${policy.metadata.name}: ${result.error}: ${validation.expression.slice(0, 200)}`);
        continue;
      }
      if (result.value === true) continue;
      verdict.denied = true;
      const message = validation.messageExpression ? evaluate(validation.messageExpression, bindings) : { cost: 0 };
      policyCost = spend(message, policyCost);
      verdict.cost.policy = Math.max(verdict.cost.policy, policyCost);
      verdict.messages.push(typeof message.value === "string" ? message.value : validation.message);
      if (message.error !== undefined) verdict.errors.push(`${policy.metadata.name}: messageExpression: ${message.error}`);
    }
  }
  output.push(verdict);
}
process.stdout.write(JSON.stringify(output));
