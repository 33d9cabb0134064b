{{/*
The SageMaker kinds keyward handles (key or role fields): exactly the catalog of policy/catalog.cc
(tests/chart/ fails when the two differ). Main resources only, never
the status subresource: the controllers write it, and it holds no keys.
*/}}
{{- define "keyward.catalogRules" -}}
- apiGroups: ["sagemaker.services.k8s.aws"]
  apiVersions: ["v1alpha1"]
  operations: ["CREATE", "UPDATE"]
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
  scope: Namespaced
- apiGroups: ["sagemaker.aws.amazon.com"]
  apiVersions: ["v1"]
  operations: ["CREATE", "UPDATE"]
  resources:
    - batchtransformjobs
    - endpointconfigs
    - hostingdeployments
    - hyperparametertuningjobs
    - models
    - processingjobs
    - trainingjobs
  scope: Namespaced
{{- end }}
