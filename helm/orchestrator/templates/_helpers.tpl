{{- define "orchestrator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "orchestrator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "orchestrator.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "orchestrator.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "orchestrator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "orchestrator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "orchestrator.labels" -}}
{{ include "orchestrator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "orchestrator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}{{ default (include "orchestrator.fullname" .) .Values.serviceAccount.name }}{{ else }}{{ default "default" .Values.serviceAccount.name }}{{ end }}
{{- end }}

{{- define "orchestrator.tokenSecret" -}}
{{- default (printf "%s-token" (include "orchestrator.fullname" .)) .Values.token.existingSecret }}
{{- end }}

{{- define "orchestrator.storeSecret" -}}
{{- default (printf "%s-store" (include "orchestrator.fullname" .)) .Values.coordinator.store.postgres.existingSecret }}
{{- end }}

{{- define "orchestrator.sharedClaim" -}}
{{- default (printf "%s-shared" (include "orchestrator.fullname" .)) .Values.shared.existingClaim }}
{{- end }}

{{/* http (h2c) or, with tls.enabled, https: the scheme of every gRPC address. */}}
{{- define "orchestrator.scheme" -}}
{{- if .Values.tls.enabled }}{{ if not .Values.tls.secretName }}{{ fail "tls.enabled needs tls.secretName: a Secret with tls.crt, tls.key and ca.crt" }}{{ end }}https{{ else }}http{{ end }}
{{- end }}

{{- define "orchestrator.coordinatorUrl" -}}
{{ include "orchestrator.scheme" . }}://{{ include "orchestrator.fullname" . }}-coordinator:{{ .Values.coordinator.grpcPort }}
{{- end }}

{{/* The Service's application protocol: HTTP/2 in the clear, or over TLS. */}}
{{- define "orchestrator.appProtocol" -}}
{{- if .Values.tls.enabled }}https{{ else }}kubernetes.io/h2c{{ end }}
{{- end }}

{{/* Arguments of a gRPC server container with tls.enabled: the certificate it serves (and, with trust, the authority it calls with). */}}
{{- define "orchestrator.tlsServerArgs" -}}
{{- if .Values.tls.enabled }}
- --tls-cert
- /etc/orchestrator-tls/tls.crt
- --tls-key
- /etc/orchestrator-tls/tls.key
{{- end }}
{{- end }}

{{- define "orchestrator.tlsTrustArgs" -}}
{{- if .Values.tls.enabled }}
- --tls-ca
- /etc/orchestrator-tls/ca.crt
{{- end }}
{{- end }}

{{/* The image of the root context, or of a worker pool: (dict "root" $ "image" $pool.image). */}}
{{- define "orchestrator.image" -}}
{{- $repository := default .root.Values.image.repository .image.repository -}}
{{- $tag := default .root.Values.image.tag .image.tag -}}
{{ printf "%s:%s" $repository $tag }}
{{- end }}

{{- define "orchestrator.podSpecCommon" -}}
serviceAccountName: {{ include "orchestrator.serviceAccountName" . }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* Probes of a server container: HTTP GET /metrics on its port named "metrics". */}}
{{- define "orchestrator.probes" -}}
startupProbe:
  httpGet: {path: /metrics, port: metrics}
  periodSeconds: 2
  failureThreshold: 60
readinessProbe:
  httpGet: {path: /metrics, port: metrics}
  periodSeconds: 5
  failureThreshold: 3
livenessProbe:
  httpGet: {path: /metrics, port: metrics}
  periodSeconds: 10
  timeoutSeconds: 10
  failureThreshold: 6
{{- end }}

{{- define "orchestrator.scrapeAnnotations" -}}
{{- if .root.Values.metrics.podAnnotations -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end }}

{{- define "orchestrator.tokenVolume" -}}
- name: token
  secret:
    secretName: {{ include "orchestrator.tokenSecret" . }}
    defaultMode: 0440
    items:
      - key: {{ .Values.token.secretKey }}
        path: token
{{- end }}

{{- define "orchestrator.mounts" -}}
- name: token
  mountPath: /etc/orchestrator
  readOnly: true
- name: shared
  mountPath: /shared
- name: tmp
  mountPath: /tmp
{{- include "orchestrator.tlsMount" . }}
{{- end }}

{{- define "orchestrator.tlsMount" -}}
{{- if .Values.tls.enabled }}
- name: tls
  mountPath: /etc/orchestrator-tls
  readOnly: true
{{- end }}
{{- end }}

{{- define "orchestrator.tlsVolume" -}}
{{- if .Values.tls.enabled }}
- name: tls
  secret:
    secretName: {{ .Values.tls.secretName }}
    defaultMode: 0440
{{- end }}
{{- end }}

{{- define "orchestrator.volumes" -}}
{{ include "orchestrator.tokenVolume" . }}
- name: shared
  persistentVolumeClaim:
    claimName: {{ include "orchestrator.sharedClaim" . }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- include "orchestrator.tlsVolume" . }}
{{- end }}
