// Validates rendered manifests against the Kubernetes OpenAPI schemas, offline:
//   kubectl kustomize overlays/production | node validate-schemas.mjs
// Needs the npm packages kubernetes-models (core/apps/policy/autoscaling/networking/rbac schemas, Kubernetes 1.3x)
// and @kubernetes-models/prometheus-operator (ServiceMonitor), e.g. `npm install kubernetes-models@5.1.0
// @kubernetes-models/prometheus-operator@6.0.0 yaml@2` in a scratch directory, with NODE_PATH pointing there.
// Checks types, enums and required fields of every object; like the API server's schema, it does not reject fields
// it does not know (the Kubernetes OpenAPI allows them), so a misspelt optional field is not caught here.
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

// The packages are ES modules, which ignore NODE_PATH: load them by file from there.
const modules = process.env.NODE_PATH || path.join(process.cwd(), "node_modules");
const require = createRequire(path.join(modules, "noop.js"));
const { parseAllDocuments } = require("yaml");

function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  return group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
}

const docs = parseAllDocuments(readFileSync(0, "utf8")).map((d) => d.toJS()).filter(Boolean);
let failures = 0;
for (const doc of docs) {
  const name = `${doc.kind}/${doc.metadata?.name}`;
  const file = path.join(modules, modelModule(doc.apiVersion), `${doc.kind}.js`);
  const Model = existsSync(file) ? (await import(pathToFileURL(file)))[doc.kind] : undefined;
  if (!Model) {
    console.log(`NO SCHEMA ${doc.apiVersion} ${name}`);
    failures++;
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`ok ${doc.apiVersion} ${name}`);
  } catch (e) {
    failures++;
    console.log(`INVALID ${name}: ${e.message}`);
  }
}
console.log(`${docs.length} objects, ${failures} invalid`);
process.exit(failures ? 1 : 0);
