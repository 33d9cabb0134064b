{{/*
The SageMaker kinds keyward handles (key, role or guardrail fields):
exactly the catalog of policy/catalog.cc (tests/chart/ fails when the two
differ), listed once here and used by the webhooks' rules and the audit
CronJob's read-only RBAC. Main resources only, never the status
subresource: the controllers write it, and it holds no keys.
*/}}
{{- define "keyward.catalog" -}}
- group: sagemaker.services.k8s.aws
  version: v1alpha1
  resources:
    - dataqualityjobdefinitions
    - domains
    - endpointconfigs
    - featuregroups
    - hyperparametertuningjobs
    - inferencecomponents
    - labelingjobs
    - modelbiasjobdefinitions
    - modelexplainabilityjobdefinitions
    - models
    - modelpackages
    - modelqualityjobdefinitions
    - monitoringschedules
    - notebookinstances
    - pipelineexecutions
    - pipelines
    - processingjobs
    - projects
    - spaces
    - trainingjobs
    - transformjobs
    - userprofiles
- group: sagemaker.aws.amazon.com
  version: v1
  resources:
    - batchtransformjobs
    - endpointconfigs
    - hostingdeployments
    - hyperparametertuningjobs
    - models
    - processingjobs
    - trainingjobs
{{- end }}

{{- define "keyward.catalogRules" -}}
{{- range (include "keyward.catalog" . | fromYamlArray) }}
- apiGroups: [{{ .group | quote }}]
  apiVersions: [{{ .version | quote }}]
  operations: ["CREATE", "UPDATE"]
  resources: {{- toYaml .resources | nindent 4 }}
  scope: Namespaced
{{- end }}
{{- end }}

{{/* Read-only access to every catalog kind, for `keyward audit --in-cluster`. */}}
{{- define "keyward.catalogReadRules" -}}
{{- range (include "keyward.catalog" . | fromYamlArray) }}
- apiGroups: [{{ .group | quote }}]
  resources: {{- toYaml .resources | nindent 4 }}
  verbs: ["get", "list"]
{{- end }}
{{- end }}
