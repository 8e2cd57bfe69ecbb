{{- define "retinasynth.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "retinasynth.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "retinasynth.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ include "retinasynth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "retinasynth.selectorLabels" -}}
app.kubernetes.io/name: {{ include "retinasynth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "retinasynth.secretName" -}}
{{- include "retinasynth.fullname" . }}-secrets
{{- end -}}

{{- define "retinasynth.apiKeySecret" -}}
{{- default (include "retinasynth.secretName" .) .Values.apiKey.existingSecret -}}
{{- end -}}

{{- define "retinasynth.postgresFullname" -}}
{{- include "retinasynth.fullname" . }}-postgresql
{{- end -}}

{{- define "retinasynth.datasourceUrl" -}}
{{- if .Values.postgresql.enabled -}}
{{- printf "jdbc:postgresql://%s:5432/%s" (include "retinasynth.postgresFullname" .) .Values.postgresql.database -}}
{{- else -}}
{{- required "postgresql.external.url is required when postgresql.enabled=false" .Values.postgresql.external.url -}}
{{- end -}}
{{- end -}}

{{/* The bundled database's password: the value given, else the one already installed, else new. */}}
{{- define "retinasynth.postgresPassword" -}}
{{- if .Values.postgresql.password -}}
{{- .Values.postgresql.password -}}
{{- else -}}
{{- /* Only an upgrade has a Secret to keep; lookup also needs a cluster, which template lacks. */ -}}
{{- $existing := dict -}}
{{- if .Release.IsUpgrade -}}
{{- $existing = lookup "v1" "Secret" .Release.Namespace (include "retinasynth.secretName" .) -}}
{{- end -}}
{{- if and $existing $existing.data (index $existing.data "postgres-password") -}}
{{- index $existing.data "postgres-password" | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The admin API key: the value given, else the one already installed, else a new one. */}}
{{- define "retinasynth.apiKey" -}}
{{- if .Values.apiKey.value -}}
{{- .Values.apiKey.value -}}
{{- else -}}
{{- /* Only an upgrade has a Secret to keep; lookup also needs a cluster, which template lacks. */ -}}
{{- $existing := dict -}}
{{- if .Release.IsUpgrade -}}
{{- $existing = lookup "v1" "Secret" .Release.Namespace (include "retinasynth.secretName" .) -}}
{{- end -}}
{{- if and $existing $existing.data (index $existing.data "api-key") -}}
{{- index $existing.data "api-key" | b64dec -}}
{{- else -}}
{{- printf "rsk_%s" (randAlphaNum 40) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "retinasynth.dbPasswordRef" -}}
{{- if .Values.postgresql.enabled -}}
name: {{ include "retinasynth.secretName" . }}
key: postgres-password
{{- else if .Values.postgresql.external.existingSecret -}}
name: {{ .Values.postgresql.external.existingSecret }}
key: {{ .Values.postgresql.external.existingSecretPasswordKey }}
{{- else -}}
name: {{ include "retinasynth.secretName" . }}
key: postgres-password
{{- end -}}
{{- end -}}

{{/*
One application pod; the role decides what it does. Called with
(dict "ctx" $ "role" "api"|"worker" "values" .Values.api|.Values.worker "image" "<repo:tag>").
*/}}
{{- define "retinasynth.podSpec" -}}
{{- $ := .ctx -}}
{{- with $.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $.Values.podSecurityContext | nindent 2 }}
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
containers:
  - name: {{ .role }}
    image: {{ .image | quote }}
    imagePullPolicy: {{ $.Values.image.pullPolicy }}
    securityContext:
      {{- toYaml $.Values.securityContext | nindent 6 }}
    ports:
      - name: http
        containerPort: 8080
        protocol: TCP
    envFrom:
      - configMapRef:
          name: {{ include "retinasynth.fullname" $ }}
    env:
      - name: RETINASYNTH_ROLE
        value: {{ .role }}
      - name: SPRING_DATASOURCE_PASSWORD
        valueFrom:
          secretKeyRef:
            {{- include "retinasynth.dbPasswordRef" $ | nindent 12 }}
      - name: RETINASYNTH_SECURITY_BOOTSTRAP_KEY
        valueFrom:
          secretKeyRef:
            name: {{ include "retinasynth.apiKeySecret" $ }}
            key: {{ if $.Values.apiKey.existingSecret }}{{ $.Values.apiKey.existingSecretKey }}{{ else }}api-key{{ end }}
      {{- if and (eq $.Values.storage.type "s3") (or $.Values.storage.s3.accessKey $.Values.storage.s3.existingSecret) }}
      - name: RETINASYNTH_STORAGE_S3_ACCESS_KEY
        valueFrom:
          secretKeyRef:
            name: {{ default (include "retinasynth.secretName" $) $.Values.storage.s3.existingSecret }}
            key: s3-access-key
      - name: RETINASYNTH_STORAGE_S3_SECRET_KEY
        valueFrom:
          secretKeyRef:
            name: {{ default (include "retinasynth.secretName" $) $.Values.storage.s3.existingSecret }}
            key: s3-secret-key
      {{- end }}
      {{- with .values.extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    startupProbe:
      httpGet: {path: /actuator/health/liveness, port: http}
      periodSeconds: 5
      failureThreshold: 60
    livenessProbe:
      httpGet: {path: /actuator/health/liveness, port: http}
      periodSeconds: 15
      failureThreshold: 4
    readinessProbe:
      httpGet: {path: /actuator/health/readiness, port: http}
      periodSeconds: 10
      failureThreshold: 3
    {{- $resources := deepCopy (default dict .values.resources) }}
    {{- if and (eq .role "worker") $.Values.worker.gpu.enabled }}
    {{- /* Extended resources such as GPUs are requested as limits only. */}}
    {{- $limits := deepCopy (default dict $resources.limits) }}
    {{- $_ := set $limits $.Values.worker.gpu.resourceName ($.Values.worker.gpu.count | int) }}
    {{- $_ := set $resources "limits" $limits }}
    {{- end }}
    resources:
      {{- toYaml $resources | nindent 6 }}
    volumeMounts:
      - name: data
        mountPath: /data
      - name: tmp
        mountPath: /tmp
volumes:
  - name: data
    {{- if eq $.Values.storage.type "pvc" }}
    persistentVolumeClaim:
      claimName: {{ default (printf "%s-artifacts" (include "retinasynth.fullname" $)) $.Values.storage.pvc.existingClaim }}
    {{- else }}
    emptyDir: {}
    {{- end }}
  - name: tmp
    emptyDir: {}
{{- end -}}
