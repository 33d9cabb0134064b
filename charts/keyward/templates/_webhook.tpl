{{/*
Generates (or, on upgrades, reuses) the selfSigned mode's CA and serving
certificate. Reusing the existing Secret keeps the caBundle unchanged across
upgrades. Returns YAML with base64 values; admission.yaml calls it once, so
the Secret and both caBundles come from the same CA.
*/}}
{{- define "keyward.selfSignedTLS" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "keyward.tlsSecretName" .) | default dict }}
{{- $ca := dig "data" "ca.crt" "" $existing }}
{{- $crt := dig "data" "tls.crt" "" $existing }}
{{- $key := dig "data" "tls.key" "" $existing }}
{{- if and $ca $crt $key }}
ca.crt: {{ $ca }}
tls.crt: {{ $crt }}
tls.key: {{ $key }}
{{- else }}
{{- $days := int .Values.tls.selfSigned.validityDays }}
{{- $dnsNames := include "keyward.serviceDNSNames" . | fromYamlArray }}
{{- $caPair := genCA (printf "%s-ca" (include "keyward.fullname" .)) $days }}
{{- $serving := genSignedCert (index $dnsNames 2) nil $dnsNames $days $caPair }}
ca.crt: {{ $caPair.Cert | b64enc }}
tls.crt: {{ $serving.Cert | b64enc }}
tls.key: {{ $serving.Key | b64enc }}
{{- end }}
{{- end }}

{{/* The namespaces that never reach keyward: its own, kube-system, and the user's. */}}
{{- define "keyward.namespaceSelector" -}}
{{- $excluded := concat (list .Release.Namespace "kube-system") .Values.webhooks.excludeNamespaces | uniq -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values: {{- toYaml $excluded | nindent 6 }}
  {{- with .Values.webhooks.namespaceSelectorExpressions }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{/*
One webhook entry; the mutating and validating configurations differ only in
name, path and reinvocationPolicy. Arguments: root, name, path, caBundle,
reinvocationPolicy (mutating only).
*/}}
{{- define "keyward.webhook" -}}
{{- $root := .root }}
{{- $values := $root.Values.webhooks -}}
- name: {{ .name }}
  clientConfig:
    service:
      name: {{ include "keyward.fullname" $root }}
      namespace: {{ $root.Release.Namespace }}
      path: {{ .path }}
      port: {{ $root.Values.service.port }}
    {{- with .caBundle }}
    caBundle: {{ . }}
    {{- end }}
  rules: {{- include "keyward.catalogRules" $root | trim | nindent 4 }}
  failurePolicy: {{ include "keyward.failurePolicy" $root }}
  matchPolicy: Equivalent
  sideEffects: None
  timeoutSeconds: {{ $values.timeoutSeconds }}
  admissionReviewVersions: ["v1", "v1beta1"]
  namespaceSelector: {{- include "keyward.namespaceSelector" $root | nindent 4 }}
  {{- with $values.objectSelector }}
  objectSelector: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .reinvocationPolicy }}
  reinvocationPolicy: {{ . }}
  {{- end }}
  {{- with (include "keyward.matchConditions" $root | trim) }}
  matchConditions: {{- . | nindent 4 }}
  {{- end }}
{{- end }}

{{/*
The webhooks' failure policy: the value set, else Ignore when the
ValidatingAdmissionPolicy fallback is installed (an outage falls back to it)
and Fail when it is not.
*/}}
{{- define "keyward.failurePolicy" -}}
{{- if .Values.webhooks.failurePolicy -}}
{{ .Values.webhooks.failurePolicy }}
{{- else if .Values.fallback.vap.manifest -}}
Ignore
{{- else -}}
Fail
{{- end -}}
{{- end }}

{{/*
matchConditions (Kubernetes 1.28 and later): the trusted users' UPDATEs never
reach keyward, which admits them anyway; so while keyward is down the ACK
controller can still write status, remove finalizers and late-initialise
fields. The users are the policy's own spec.trustedUsers (globs become
anchored regular expressions), read from the one policy value, so the two
lists cannot drift.
*/}}
{{- define "keyward.matchConditions" -}}
{{- if semverCompare ">=1.28-0" .Capabilities.KubeVersion.Version }}
{{- $policy := .Values.policy | fromYaml }}
{{- $users := list }}
{{- range (dig "spec" "trustedUsers" list $policy) }}
{{- $regex := regexQuoteMeta . | replace "\\*" "(?s:.*)" | replace "\\?" "(?s:.)" }}
{{- $users = append $users (printf "'^%s$'" ($regex | replace "\\" "\\\\")) }}
{{- end }}
{{- if $users }}
{{- $expression := printf "!(request.operation == 'UPDATE' && [%s].exists(p, request.userInfo.username.matches(p)))" (join ", " $users) }}
- name: trusted-users-updates-skip-keyward
  expression: {{ $expression | quote }}
{{- end }}
{{- end }}
{{- end }}
