{{/* Names, labels and the small pieces several templates share. */}}

{{- define "keyward.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fits Kubernetes' 63-character name limit, leaving room for suffixes such as -selfsigned. */}}
{{- define "keyward.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "keyward.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "keyward.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "keyward.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keyward.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The audit CronJob's pods. Their app.kubernetes.io/name differs from the
webhook's, so that the selectors of the webhook's Service, PodDisruptionBudget,
NetworkPolicy and scheduling rules (keyward.selectorLabels, unchanged so that
upgrades keep the Deployment's immutable selector) never match them.
*/}}
{{- define "keyward.auditSelectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-audit" (include "keyward.name" . | trunc 57 | trimSuffix "-") }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: audit
{{- end }}

{{- define "keyward.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "keyward.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "keyward.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "keyward.policyConfigMapName" -}}
{{- printf "%s-policy" (include "keyward.fullname" .) }}
{{- end }}

{{/* The Secret holding tls.crt and tls.key, whichever mode provides it. */}}
{{- define "keyward.tlsSecretName" -}}
{{- if eq .Values.tls.mode "existingSecret" }}
{{- .Values.tls.existingSecret.name }}
{{- else }}
{{- printf "%s-tls" (include "keyward.fullname" .) }}
{{- end }}
{{- end }}

{{/* The names the apiserver may use to reach the Service; the serving certificate carries them all. */}}
{{- define "keyward.serviceDNSNames" -}}
{{- $service := include "keyward.fullname" . }}
{{- $namespace := .Release.Namespace -}}
- {{ $service }}
- {{ printf "%s.%s" $service $namespace }}
- {{ printf "%s.%s.svc" $service $namespace }}
- {{ printf "%s.%s.svc.%s" $service $namespace .Values.clusterDomain }}
{{- end }}

{{/*
Cross-field checks that values.schema.json cannot express. Each failure says
which values to change.
*/}}
{{- define "keyward.validateValues" -}}
{{- $server := .Values.server }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $server.shutdownDelaySeconds) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be longer than server.shutdownDelaySeconds (%d): in-flight requests need time to finish after the delay." (int .Values.terminationGracePeriodSeconds) (int $server.shutdownDelaySeconds)) }}
{{- end }}
{{- if eq (int $server.webhookPort) (int $server.metricsPort) }}
{{- fail (printf "server.webhookPort and server.metricsPort are both %d: give them different ports." (int $server.webhookPort)) }}
{{- end }}
{{- if not (or .Values.webhooks.mutating.enabled .Values.webhooks.validating.enabled) }}
{{- fail "webhooks.mutating.enabled and webhooks.validating.enabled are both false: keyward would receive nothing. Enable at least one, or uninstall." }}
{{- end }}
{{- $policy := fromYaml .Values.policy }}
{{- if hasKey $policy "Error" }}
{{- fail (printf "policy is not valid YAML: %s" $policy.Error) }}
{{- end }}
{{- if or (ne (toString $policy.apiVersion) "keyward.dev/v1alpha1") (ne (toString $policy.kind) "KeyPolicy") }}
{{- fail "policy must be a KeyPolicy document (apiVersion: keyward.dev/v1alpha1, kind: KeyPolicy); check it with `keyward policy lint`." }}
{{- end }}
{{- end }}

{{- define "keyward.servingCertificateName" -}}
{{- printf "%s-serving" (include "keyward.fullname" .) }}
{{- end }}
