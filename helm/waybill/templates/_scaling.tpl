{{/* HorizontalPodAutoscaler: (dict "context" $ "component" "gateway" "values" .Values.gateway "kind" "Deployment") */}}
{{- define "waybill.hpa" -}}
{{- $autoscaling := .values.autoscaling }}
{{- if $autoscaling.enabled }}
{{- $component := dict "context" .context "component" .component }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "waybill.componentName" $component }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "waybill.labels" $component | trim | nindent 4 }}
  {{- with include "waybill.annotations" (dict "context" .context) }}{{ . | trim | nindent 2 }}{{ end }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: {{ .kind }}
    name: {{ include "waybill.componentName" $component }}
  minReplicas: {{ $autoscaling.minReplicas }}
  maxReplicas: {{ $autoscaling.maxReplicas }}
  metrics:
    {{- with $autoscaling.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
    {{- with $autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
  {{- with $autoscaling.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}

{{/* PodDisruptionBudget: (dict "context" $ "component" "gateway" "values" .Values.gateway) */}}
{{- define "waybill.pdb" -}}
{{- if .values.pdb.enabled }}
{{- $component := dict "context" .context "component" .component }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "waybill.componentName" $component }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "waybill.labels" $component | trim | nindent 4 }}
  {{- with include "waybill.annotations" (dict "context" .context) }}{{ . | trim | nindent 2 }}{{ end }}
spec:
  maxUnavailable: {{ .values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "waybill.selectorLabels" $component | trim | nindent 6 }}
{{- end }}
{{- end }}

{{/* Ingress: (dict "context" $ "component" "gateway" "values" .Values.gateway) */}}
{{- define "waybill.ingress" -}}
{{- $ingress := .values.ingress }}
{{- if $ingress.enabled }}
{{- $component := dict "context" .context "component" .component }}
{{- $service := include "waybill.componentName" $component }}
{{- $port := .values.service.port }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ $service }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "waybill.labels" $component | trim | nindent 4 }}
  {{- with include "waybill.annotations" (dict "context" .context "annotations" $ingress.annotations) }}{{ . | trim | nindent 2 }}{{ end }}
spec:
  {{- with $ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with $ingress.tls }}
  tls:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    {{- range $ingress.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range (default (list (dict "path" "/" "pathType" "Prefix")) .paths) }}
          - path: {{ .path }}
            pathType: {{ default "Prefix" .pathType }}
            backend:
              service:
                name: {{ $service }}
                port:
                  number: {{ $port }}
          {{- end }}
    {{- end }}
{{- end }}
{{- end }}
