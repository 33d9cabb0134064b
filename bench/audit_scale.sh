#!/usr/bin/env bash
# The audit at scale: a generated `kubectl get -A -o json` dump of N objects
# (default 100,000: TrainingJobs, EndpointConfigs and ProcessingJobs over 50
# namespaces, a third of them non-compliant, with managedFields and status as
# the apiserver stores them), audited from the file by a Release build.
# Prints the dump's size, the wall time and the peak resident memory.
#
# Usage: bench/audit_scale.sh [OBJECTS] [KEYWARD_BINARY]   (default build-release/out/keyward)
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-100000}
binary=${2:-build-release/out/keyward}
[[ -x $binary ]] || { echo "no $binary: run scripts/image-build-stage.sh build-release build-release/out" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$objects" "$work/dump.json" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
key = "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab"
other = "arn:aws:kms:us-east-1:111122223333:key/5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
managed = [{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "sagemaker.services.k8s.aws/v1alpha1",
            "time": "2026-11-20T10:00:00Z", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {f"f:field{i}": {} for i in range(40)}}}]
with open(out, "w") as f:
    f.write('{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[\n')
    for i in range(n):
        ns = "team-a" if i % 2 == 0 else "team-b"
        k = key if i % 2 == 0 else other
        bad = i % 3 == 0
        meta = {"name": f"job-{i}", "namespace": ns, "uid": f"00000000-0000-4000-8000-{i:012d}",
                "creationTimestamp": f"2026-{10 + i % 2:02d}-{1 + i % 28:02d}T10:00:00Z", "resourceVersion": str(1000 + i),
                "managedFields": managed}
        if i % 3 == 1:
            obj = {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "kind": "EndpointConfig", "metadata": meta,
                   "spec": {"endpointConfigName": f"ec-{i}", "kmsKeyID": "" if bad else k,
                            "productionVariants": [{"variantName": "v", "modelName": "m", "instanceType": "ml.m5.large",
                                                    "initialInstanceCount": 1}]},
                   "status": {"ackResourceMetadata": {"arn": f"arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/ec-{i}"}}}
        else:
            obj = {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "kind": "TrainingJob", "metadata": meta,
                   "spec": {"trainingJobName": f"job-{i}", "roleARN": "arn:aws:iam::111122223333:role/sagemaker",
                            "algorithmSpecification": {"trainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/x:1",
                                                       "trainingInputMode": "File"},
                            "outputDataConfig": {"s3OutputPath": "s3://b/out", "kmsKeyID": "" if bad else k},
                            "resourceConfig": {"instanceCount": 1, "instanceType": "ml.m5.xlarge", "volumeSizeInGB": 30,
                                               "volumeKMSKeyID": k},
                            "stoppingCondition": {"maxRuntimeInSeconds": 3600}},
                   "status": {"trainingJobStatus": "Completed", "secondaryStatus": "Completed"}}
        f.write(("," if i else "") + json.dumps(obj) + "\n")
    f.write("]}\n")
PY
cat > "$work/policy.yaml" <<'YAML'
apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  tenants:
    - name: team-a
      namespaces: [team-a]
      keys: {default: arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab}
    - name: team-b
      namespaces: [team-b]
      keys: {default: arn:aws:kms:us-east-1:111122223333:key/5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a}
YAML
echo "dump: $objects objects, $(du -m "$work/dump.json" | cut -f1) MiB"
for format in json html; do
  /usr/bin/time -f "audit -o $format: %e s, peak RSS %M KiB" "$binary" audit --policy "$work/policy.yaml" \
    -f "$work/dump.json" -o "$format" --fail-on none > "$work/report.$format"
  echo "  report: $(du -m "$work/report.$format" | cut -f1) MiB"
done
