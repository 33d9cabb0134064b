// Validates objects against the Kubernetes OpenAPI schemas of their kinds
// (kubernetes-models' validators, generated from the Kubernetes repository's
// api/openapi-spec), for tests/vap.
//
//   node validate_schema.mjs TOOLS_DIR INPUT.json > OUTPUT.json
//
// INPUT: [object]; OUTPUT: [[error text]] in the same order (empty: valid).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [toolsDir, inputPath] = process.argv.slice(2);
const schemas = {
  "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy": "IoK8sApiAdmissionregistrationV1ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding":
    "IoK8sApiAdmissionregistrationV1ValidatingAdmissionPolicyBinding",
  "apiextensions.k8s.io/v1 CustomResourceDefinition":
    "IoK8sApiextensionsApiserverPkgApisApiextensionsV1CustomResourceDefinition",
};
const output = [];
for (const object of JSON.parse(readFileSync(inputPath, "utf8"))) {
  const schema = schemas[`${object.apiVersion} ${object.kind}`];
  if (schema === undefined) {
    output.push([`no schema for ${object.apiVersion} ${object.kind}`]);
    continue;
  }
  const path = join(toolsDir, "npm/node_modules/kubernetes-models/_schemas", `${schema}.js`);
  const { validate } = await import(pathToFileURL(path).href);
  output.push(validate(object) ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message ?? e.keyword}`));
}
process.stdout.write(JSON.stringify(output));
