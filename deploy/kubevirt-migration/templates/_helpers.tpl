{{- define "kvm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
release-chart, as a DNS label: Helm accepts release names with dots or a leading digit, which no
Service name may have, so dots become dashes and a name that would start with a digit puts the
chart's name first.
*/}}
{{- define "kvm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- $release := .Release.Name | replace "." "-" -}}
{{- $full := ternary $release (printf "%s-%s" $release $name) (contains $name $release) -}}
{{- if regexMatch "^[0-9]" $full -}}
{{- $full = printf "%s-%s" $name $release -}}
{{- end -}}
{{- $full | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
A name of the release's: the full name cut so that "-<suffix>" fits in 63 characters, the limit of
a DNS label (Services, and the names that become label values or pod host names). Every name the
chart makes goes through it, so a 53-character release name or any fullnameOverride the schema
accepts gives names the API server accepts.
*/}}
{{- define "kvm.named" -}}
{{- include "kvm.fullname" .root | trunc (int (sub 62 (len .suffix))) | trimSuffix "-" }}-{{ .suffix }}
{{- end -}}
{{- define "kvm.controller" -}}{{ include "kvm.named" (dict "root" . "suffix" "controller") }}{{- end -}}
{{- define "kvm.controllerMetrics" -}}{{ include "kvm.named" (dict "root" . "suffix" "controller-metrics") }}{{- end -}}
{{- define "kvm.webhook" -}}{{ include "kvm.named" (dict "root" . "suffix" "webhook") }}{{- end -}}
{{/* Kinds whose names may be 253 long (Secret, Certificate, Issuer, RBAC, policies) add to the webhook's name */}}
{{- define "kvm.webhookTls" -}}{{ include "kvm.webhook" . }}-tls{{- end -}}
{{- define "kvm.test" -}}{{ include "kvm.named" (dict "root" . "suffix" "test") }}{{- end -}}
{{/* The registration's name: one per cluster, as the Setting is */}}
{{- define "kvm.registration" -}}kubevirt-migration.harvesterhci.io{{- end -}}

{{- define "kvm.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "kvm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: harvester
{{- end -}}

{{- define "kvm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kvm.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kvm.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "kvm.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "kvm.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Spread across nodes unless the user gave constraints of their own. */}}
{{- define "kvm.spread" -}}
{{- if .values.topologySpreadConstraints }}
{{- toYaml .values.topologySpreadConstraints }}
{{- else }}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "kvm.selectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Scheduling and pod-level settings shared by both Deployments. */}}
{{- define "kvm.podCommon" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- include "kvm.podSecurityContext" . | nindent 2 }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
topologySpreadConstraints:
  {{- include "kvm.spread" . | nindent 2 }}
{{- end -}}

{{/* What the programs serve, as Harvester names them (fixed in the code, not settings of the chart) */}}
{{- define "kvm.settingName" -}}kubevirt-migration{{- end -}}
{{- define "kvm.kubevirtNamespace" -}}harvester-system{{- end -}}
{{- define "kvm.kubevirtName" -}}kubevirt{{- end -}}

{{/* The host of webhook.url, without port or IPv6 brackets; empty without a URL. */}}
{{- define "kvm.urlHost" -}}
{{- with .Values.webhook.url -}}
{{- regexReplaceAll ":[0-9]+$" (urlParse .).host "" | trimPrefix "[" | trimSuffix "]" -}}
{{- end -}}
{{- end -}}

{{/* Non-empty when the host is an IP address (v4, or v6 with its colons), which a certificate lists as ipAddresses. */}}
{{- define "kvm.isIp" -}}
{{- if or (regexMatch "^[0-9]+(\\.[0-9]+){3}$" .) (contains ":" .) }}true{{ end -}}
{{- end -}}
