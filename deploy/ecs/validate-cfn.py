#!/usr/bin/env python3
"""Checks a CloudFormation template against the AWS resource specification, offline.

Usage: validate-cfn.py TEMPLATE DB_JSON_GZ
  DB_JSON_GZ is db.json.gz of the npm package @aws-cdk/aws-service-spec (the CloudFormation registry schemas of
  every resource type, as the CDK builds from them): npm install @aws-cdk/aws-service-spec

Checks: every resource type exists; every property (at any depth, where the value is written out rather than
computed by an intrinsic function) is one the type has; required properties are present; Ref and Fn::GetAtt name
parameters, resources and attributes that exist; Conditions named exist. Not checked: value types and allowed
values, IAM policy grammar, what the service itself would refuse at deploy time.
The template must use the long form of intrinsic functions (Ref, Fn::Sub ...), as tickstream's do.
Exit 0 when clean, 1 with one line per problem.
"""
import gzip
import json
import re
import sys

try:
    import yaml  # PyYAML, Debian's python3-yaml
except ImportError:
    sys.exit("needs PyYAML (apt-get install python3-yaml)")

PSEUDO = {"AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::StackId", "AWS::Partition", "AWS::URLSuffix",
          "AWS::NoValue", "AWS::NotificationARNs"}


def main(template_path, db_path):
    with open(template_path) as f:
        t = yaml.safe_load(f)
    with gzip.open(db_path) as f:
        schema = json.load(f)["schema"]
    resources_spec = {e["cloudFormationType"]: e for e in schema["resource"]["entities"]}
    types = {e["$id"]: e for e in schema["typeDefinition"]["entities"]}
    params = set((t.get("Parameters") or {}).keys())
    conditions = set((t.get("Conditions") or {}).keys())
    resources = t.get("Resources") or {}
    problems = []

    def check_intrinsics(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "Ref":
                    if v not in params and v not in resources and v not in PSEUDO:
                        problems.append(f"{where}: Ref to unknown {v}")
                elif k == "Fn::GetAtt":
                    name, attr = (v.split(".", 1) if isinstance(v, str) else v)
                    r = resources.get(name)
                    if r is None:
                        problems.append(f"{where}: GetAtt of unknown resource {name}")
                    elif not r["Type"].startswith("Custom::"):
                        spec = resources_spec.get(r["Type"])
                        if spec is not None and attr not in spec.get("attributes", {}):
                            problems.append(f"{where}: {r['Type']} has no attribute {attr}")
                elif k == "Fn::Sub":
                    text = v if isinstance(v, str) else v[0]
                    local = set() if isinstance(v, str) else set(v[1].keys())
                    for ref in re.findall(r"\$\{([^}!]+)\}", text):
                        base = ref.split(".")[0]
                        if base not in params and base not in resources and ref not in PSEUDO and base not in local:
                            problems.append(f"{where}: Fn::Sub names unknown {ref}")
                elif k == "Fn::If" and v[0] not in conditions:
                    problems.append(f"{where}: Fn::If on unknown condition {v[0]}")
                check_intrinsics(v, where)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                check_intrinsics(v, where)

    def is_intrinsic(value):
        return isinstance(value, dict) and len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::"))

    def check_value(value, typ, where):
        if is_intrinsic(value) or typ is None:
            return
        kind = typ.get("type")
        if kind == "ref":
            check_props(value, types[typ["reference"]["$ref"]], where)
        elif kind == "array" and isinstance(value, list):
            for i, v in enumerate(value):
                check_value(v, typ["element"], f"{where}[{i}]")
        elif kind == "map" and isinstance(value, dict):
            for k, v in value.items():
                check_value(v, typ["element"], f"{where}.{k}")
        elif kind == "union":
            pass

    def check_props(props, spec, where):
        if not isinstance(props, dict):
            return
        known = spec.get("properties", {})
        for name, value in props.items():
            if name not in known:
                problems.append(f"{where}: unknown property {name}")
                continue
            check_value(value, known[name].get("type"), f"{where}.{name}")
        for name, p in known.items():
            if p.get("required") and name not in props:
                problems.append(f"{where}: missing required property {name}")

    for name, r in resources.items():
        where = f"Resources.{name}"
        check_intrinsics(r, where)
        if "Condition" in r and r["Condition"] not in conditions:
            problems.append(f"{where}: unknown condition {r['Condition']}")
        for dep in ([r["DependsOn"]] if isinstance(r.get("DependsOn"), str) else r.get("DependsOn", [])):
            if dep not in resources:
                problems.append(f"{where}: DependsOn unknown {dep}")
        rtype = r.get("Type", "")
        if rtype.startswith("Custom::"):
            if "ServiceToken" not in r.get("Properties", {}):
                problems.append(f"{where}: custom resource without ServiceToken")
            continue
        spec = resources_spec.get(rtype)
        if spec is None:
            problems.append(f"{where}: unknown resource type {rtype}")
            continue
        check_props(r.get("Properties", {}), spec, where)
    check_intrinsics(t.get("Outputs", {}), "Outputs")
    for p in problems:
        print(p)
    print(f"{template_path}: {len(resources)} resources, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
