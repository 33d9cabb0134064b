// Evaluates keyward's generated ValidatingAdmissionPolicies as the
// kube-apiserver does, with an independent CEL implementation
// (@bufbuild/cel, conformance-tested against cel-spec), for the
// differential test (tests/vap/vap_differential_test.cc).
//
//   node evaluate.mjs TOOLS_DIR INPUT.json > OUTPUT.json
//
// INPUT: {policies: [ValidatingAdmissionPolicy], params: KeyPolicyParams,
//         cases: [{request, object, oldObject, namespaceObject}]}
// OUTPUT: [{denied, errors: [text], messages: [text]}] in the cases' order.
// A validation that evaluates to false denies with its messageExpression
// (its message when that fails); one that fails to evaluate denies too, as
// under failurePolicy: Fail, and is listed in errors: the generated CEL must
// never fail on an object the CRD schema admits.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [toolsDir, inputPath] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(toolsDir, "npm/node_modules/@bufbuild/cel/dist/esm", path)).href);
const cel = await load("index.js");
const { strings } = await load("ext/index.js");
const env = cel.celEnv({ funcs: strings });

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
  const result = program(expression)(bindings);
  return cel.isCelError(result) ? { error: String(result.message ?? result) } : { value: result };
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
  const verdict = { denied: false, errors: [], messages: [] };
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
    for (const variable of policy.spec.variables ?? []) {
      const result = evaluate(variable.expression, bindings);
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
      if (result.error !== undefined) {
        verdict.denied = true;
        verdict.errors.push(`${policy.metadata.name}: ${result.error}: ${validation.expression.slice(0, 200)}`);
        continue;
      }
      if (result.value === true) continue;
      verdict.denied = true;
      const message = validation.messageExpression ? evaluate(validation.messageExpression, bindings) : {};
      verdict.messages.push(typeof message.value === "string" ? message.value : validation.message);
      if (message.error !== undefined) verdict.errors.push(`${policy.metadata.name}: messageExpression: ${message.error}`);
    }
  }
  output.push(verdict);
}
process.stdout.write(JSON.stringify(output));
