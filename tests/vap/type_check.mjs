// The field half of the kube-apiserver's type check of a
// ValidatingAdmissionPolicy (status.typeChecking), for the VAP tests
// (tests/vap/vap_type_check_test.cc). There is no apiserver here, and the
// checker of @bufbuild/cel 0.6 does not yet type selections, so this script
// types them itself, as the apiserver does: `object` and `oldObject` as the
// OpenAPI schema of each kind the policy matches (every kind, where the
// apiserver stops at ten), `namespaceObject` and `request` as the types
// the apiserver builds for them, `params` as the params CRD's schema,
// `variables` as the policy's variables (each seeing only those before it),
// and dyn() as dyn. Each expression is parsed by @bufbuild/cel; a selection
// of a field that its operand's type does not have is a warning, worded as
// the apiserver's: `undefined field 'NAME'`. Operator overloads are not
// checked (the differential evaluates every expression instead).
//
//   node type_check.mjs TOOLS_DIR INPUT.json > OUTPUT.json
//
// INPUT: {objects: [compiled output], crds: [CustomResourceDefinition]}
// OUTPUT: {checked: {policy: [kinds]}, warnings: [{policy, fieldRef, kind, warning}]}
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [toolsDir, inputPath] = process.argv.slice(2);
const cel = await import(pathToFileURL(join(toolsDir, "npm/node_modules/@bufbuild/cel/dist/esm/index.js")).href);

const DYN = { dyn: true };
const SCALAR = { scalar: true };
const fields = (map) => ({ fields: map });
const mapOf = (value) => ({ map: value });
const listOf = (element) => ({ list: element });
const STRINGS = mapOf(SCALAR);

// metav1.ObjectMeta, as the apiserver's OpenAPI publishes it for every kind.
const OBJECT_META = fields({
  name: SCALAR, generateName: SCALAR, namespace: SCALAR, selfLink: SCALAR, uid: SCALAR, resourceVersion: SCALAR,
  generation: SCALAR, creationTimestamp: SCALAR, deletionTimestamp: SCALAR, deletionGracePeriodSeconds: SCALAR,
  labels: STRINGS, annotations: STRINGS, ownerReferences: listOf(DYN), finalizers: listOf(SCALAR),
  managedFields: listOf(DYN),
});
// plugin/cel BuildNamespaceType and BuildRequestType.
const NAMESPACE = fields({
  metadata: fields({
    name: SCALAR, generateName: SCALAR, namespace: SCALAR, labels: STRINGS, annotations: STRINGS, UID: SCALAR,
    creationTimestamp: SCALAR, deletionGracePeriodSeconds: SCALAR, deletionTimestamp: SCALAR, generation: SCALAR,
    resourceVersion: SCALAR,
  }),
  spec: fields({ finalizers: listOf(SCALAR) }),
  status: fields({ conditions: listOf(DYN), phase: SCALAR }),
});
const GVK = fields({ group: SCALAR, version: SCALAR, kind: SCALAR });
const GVR = fields({ group: SCALAR, version: SCALAR, resource: SCALAR });
const REQUEST = fields({
  kind: GVK, resource: GVR, subResource: SCALAR, requestKind: GVK, requestResource: GVR, requestSubResource: SCALAR,
  name: SCALAR, namespace: SCALAR, operation: SCALAR,
  userInfo: fields({ username: SCALAR, uid: SCALAR, groups: listOf(SCALAR), extra: mapOf(listOf(SCALAR)) }),
  dryRun: SCALAR, options: DYN,
});

// An OpenAPI v3 schema (a CRD's openAPIV3Schema) as a type.
function schemaType(schema, root = false) {
  if (schema === undefined || schema === null) return DYN;
  if (schema["x-kubernetes-int-or-string"] || schema["x-kubernetes-embedded-resource"]) return DYN;
  if (schema.type === "array") return listOf(schemaType(schema.items));
  if (schema.type === "object" || schema.properties !== undefined) {
    if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
      return mapOf(schemaType(schema.additionalProperties));
    }
    if (schema.properties === undefined) return schema["x-kubernetes-preserve-unknown-fields"] ? DYN : fields({});
    const out = {};
    for (const [name, property] of Object.entries(schema.properties)) out[name] = schemaType(property);
    if (root) {
      out.apiVersion = SCALAR;
      out.kind = SCALAR;
      out.metadata = OBJECT_META;
    }
    return fields(out);
  }
  return SCALAR;
}

// Each expression is parsed once, whatever the number of kinds.
const parsedExpressions = new Map();
function parseOnce(expression) {
  let parsed = parsedExpressions.get(expression);
  if (parsed === undefined) {
    try {
      parsed = cel.parse(expression);
    } catch (e) {
      parsed = `does not parse: ${e.message}`;
    }
    parsedExpressions.set(expression, parsed);
  }
  return parsed;
}

class Checker {
  constructor(declared) {
    this.declared = declared;
    this.warnings = [];
  }
  warn(text) {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }
  select(operand, name) {
    if (operand.dyn) return DYN;
    if (operand.map) return operand.map;
    if (operand.fields) {
      if (Object.hasOwn(operand.fields, name)) return operand.fields[name];
      this.warn(`undefined field '${name}'`);
      return DYN;
    }
    this.warn(`type has no field '${name}'`);
    return DYN;
  }
  type(expr, scope) {
    const { case: kind, value } = expr.exprKind;
    switch (kind) {
      case "identExpr":
        if (scope.has(value.name)) return scope.get(value.name);
        if (Object.hasOwn(this.declared, value.name)) return this.declared[value.name];
        this.warn(`undeclared reference to '${value.name}'`);
        return DYN;
      case "selectExpr":
        return this.select(this.type(value.operand, scope), value.field);
      case "callExpr": {
        const target = value.target ? this.type(value.target, scope) : undefined;
        const args = value.args.map((a) => this.type(a, scope));
        if (value.function === "dyn" && !value.target) return DYN;
        if (value.function === "_[_]") {
          if (args[0].list) return args[0].list;
          if (args[0].map) return args[0].map;
          return DYN;
        }
        if (value.function === "_?_:_") return args[1].fields || args[1].map || args[1].list ? args[1] : args[2];
        if (target !== undefined && (value.function === "split")) return listOf(SCALAR);
        return SCALAR;
      }
      case "comprehensionExpr": {
        const range = this.type(value.iterRange, scope);
        const inner = new Map(scope);
        inner.set(value.iterVar, range.list ?? (range.map ? SCALAR : DYN));
        const accumulator = this.type(value.accuInit, scope);
        inner.set(value.accuVar, accumulator.list ? accumulator : DYN);
        this.type(value.loopCondition, inner);
        const step = this.type(value.loopStep, inner);
        inner.set(value.accuVar, step.list ? step : accumulator.list ? accumulator : DYN);
        return this.type(value.result, inner);
      }
      case "listExpr": {
        const elements = value.elements.map((e) => this.type(e, scope));
        return listOf(elements.length > 0 ? elements[0] : DYN);
      }
      case "structExpr":
        for (const entry of value.entries) {
          if (entry.keyKind.case === "mapKey") this.type(entry.keyKind.value, scope);
          this.type(entry.value, scope);
        }
        return mapOf(DYN);
      default:
        return SCALAR;
    }
  }
  check(expression) {
    this.warnings = [];
    const parsed = parseOnce(expression);
    if (typeof parsed === "string") return [parsed];
    this.type(parsed.expr, new Map());
    return this.warnings;
  }
}

const input = JSON.parse(readFileSync(inputPath, "utf8"));
const crds = [...input.crds];
for (const object of input.objects) if (object.kind === "CustomResourceDefinition") crds.push(object);
const schemaOf = (group, version, resource) => {
  for (const crd of crds) {
    if (crd.spec.group !== group || crd.spec.names.plural !== resource) continue;
    for (const served of crd.spec.versions ?? []) {
      if (version === "*" || served.name === version) {
        return { kind: `${group}/${served.name}, Kind=${crd.spec.names.kind}`, schema: served.schema?.openAPIV3Schema };
      }
    }
  }
  return undefined;
};

const output = { checked: {}, warnings: [] };
for (const policy of input.objects) {
  if (policy.kind !== "ValidatingAdmissionPolicy") continue;
  const name = policy.metadata.name;
  const [paramsGroup, paramsVersion] = policy.spec.paramKind.apiVersion.split("/");
  const paramsCrd = crds.find((c) => c.spec.group === paramsGroup && c.spec.names.kind === policy.spec.paramKind.kind);
  const paramsSchema = paramsCrd?.spec.versions.find((v) => v.name === paramsVersion)?.schema?.openAPIV3Schema;
  const kinds = [];
  for (const rule of policy.spec.matchConstraints.resourceRules) {
    for (const group of rule.apiGroups) {
      for (const version of rule.apiVersions) {
        for (const resource of rule.resources) {
          const found = schemaOf(group, version, resource);
          if (found === undefined) {
            output.warnings.push({ policy: name, fieldRef: "spec.matchConstraints", kind: `${group}/${resource}`,
                                   warning: "no CRD serves this resource" });
          } else {
            kinds.push(found);
          }
        }
      }
    }
  }
  output.checked[name] = kinds.map((k) => k.kind);
  for (const { kind, schema } of kinds) {
    const objectType = schemaType(schema, true);
    const declared = {
      object: objectType, oldObject: objectType, namespaceObject: NAMESPACE, request: REQUEST,
      params: schemaType(paramsSchema, true), authorizer: DYN, variables: fields({}),
    };
    const checker = new Checker(declared);
    // Variables in order: each sees those declared before it.
    (policy.spec.variables ?? []).forEach((variable, i) => {
      for (const warning of checker.check(variable.expression)) {
        output.warnings.push({ policy: name, fieldRef: `spec.variables[${i}].expression`, kind, warning });
      }
      declared.variables.fields[variable.name] = DYN;
    });
    policy.spec.validations.forEach((validation, i) => {
      for (const field of ["expression", "messageExpression"]) {
        if (!validation[field]) continue;
        for (const warning of checker.check(validation[field])) {
          output.warnings.push({ policy: name, fieldRef: `spec.validations[${i}].${field}`, kind, warning });
        }
      }
    });
  }
}
process.stdout.write(JSON.stringify(output));
