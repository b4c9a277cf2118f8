{{/* ---------------------------------------------------------------------------------------------
Names and labels
--------------------------------------------------------------------------------------------- */}}

{{- define "waybill.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every resource name; DNS labels allow 63 characters, and component suffixes need room. */}}
{{- define "waybill.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "waybill.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of a component's resources: (dict "context" $ "component" "engine") */}}
{{- define "waybill.componentName" -}}
{{- printf "%s-%s" (include "waybill.fullname" .context) .component }}
{{- end }}

{{- define "waybill.selectorLabels" -}}
app.kubernetes.io/name: {{ include "waybill.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{- define "waybill.labels" -}}
helm.sh/chart: {{ include "waybill.chart" .context }}
{{ include "waybill.selectorLabels" . }}
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
app.kubernetes.io/part-of: waybill
{{- with .context.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* metadata.annotations of a resource: commonAnnotations merged with (dict ... "annotations" extra). */}}
{{- define "waybill.annotations" -}}
{{- $all := merge (deepCopy (default (dict) .annotations)) (deepCopy .context.Values.commonAnnotations) }}
{{- with $all }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "waybill.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "waybill.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference: (dict "context" $ "image" .Values.engine.image) */}}
{{- define "waybill.image" -}}
{{- $registry := .context.Values.image.registry }}
{{- $repository := .image.repository }}
{{- $ref := ternary $repository (printf "%s/%s" $registry $repository) (empty $registry) }}
{{- if .image.digest }}
{{- printf "%s@%s" $ref .image.digest }}
{{- else }}
{{- printf "%s:%s" $ref (default (default .context.Chart.AppVersion .context.Values.image.tag) .image.tag) }}
{{- end }}
{{- end }}

{{/* Service DNS names */}}
{{- define "waybill.engine.headlessService" -}}
{{- printf "%s-headless" (include "waybill.componentName" (dict "context" . "component" "engine")) }}
{{- end }}

{{- define "waybill.engine.url" -}}
{{- printf "http://%s:%v" (include "waybill.componentName" (dict "context" . "component" "engine")) .Values.engine.service.port }}
{{- end }}

{{/* The dead-letter topic's name, from the catalogue. */}}
{{- define "waybill.deadLettersTopic" -}}
{{- range (.Files.Get "files/topics.yaml" | fromYaml).topics }}
{{- if eq .id "DEAD_LETTERS" }}{{ .name }}{{ end }}
{{- end }}
{{- end }}

{{/* Converts a configuration property name to the environment variable Quarkus reads it from. */}}
{{- define "waybill.envName" -}}
{{- regexReplaceAll "[^A-Za-z0-9]" . "_" | upper }}
{{- end }}

{{/*
The environment variable for a property of <component>.config: the property name itself where it is
a valid variable name (Quarkus finds every property under its own name, also map keys and
pass-through properties, which the upper-case form cannot express), else the upper-case form
(names with quotes, e.g. quarkus.log.category."io.waybill".level).
*/}}
{{- define "waybill.configEnvName" -}}
{{- if regexMatch "^[-._a-zA-Z][-._a-zA-Z0-9]*$" . }}{{ . }}{{ else }}{{ include "waybill.envName" . }}{{ end }}
{{- end }}

{{/* A property value as text: whole numbers stay whole (YAML numbers arrive as floats, 1e+06). */}}
{{- define "waybill.propertyValue" -}}
{{- if and (kindIs "float64" .) (eq (floor .) .) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/* ---------------------------------------------------------------------------------------------
Kafka client settings, shared by the engine, the gateway and the provisioning Job
--------------------------------------------------------------------------------------------- */}}

{{- define "waybill.kafka.securityProtocol" -}}
{{- $k := .Values.kafka }}
{{- if and $k.sasl.enabled $k.tls.enabled }}SASL_SSL
{{- else if $k.sasl.enabled }}SASL_PLAINTEXT
{{- else if $k.tls.enabled }}SSL
{{- else }}PLAINTEXT
{{- end }}
{{- end }}

{{- define "waybill.kafka.truststorePath" -}}
/etc/waybill/kafka/truststore/{{ .Values.kafka.tls.truststore.key }}
{{- end }}

{{- define "waybill.kafka.keystorePath" -}}
/etc/waybill/kafka/keystore/{{ .Values.kafka.tls.keystore.key }}
{{- end }}

{{/* Client properties without secrets, as YAML (property: value). */}}
{{- define "waybill.kafka.plainProperties" -}}
{{- $k := .Values.kafka }}
{{- $p := dict "security.protocol" (include "waybill.kafka.securityProtocol" .) }}
{{- if $k.tls.enabled }}
{{- if $k.tls.truststore.existingSecret }}
{{- $_ := set $p "ssl.truststore.location" (include "waybill.kafka.truststorePath" .) }}
{{- $_ := set $p "ssl.truststore.type" $k.tls.truststore.type }}
{{- end }}
{{- if $k.tls.keystore.existingSecret }}
{{- $_ := set $p "ssl.keystore.location" (include "waybill.kafka.keystorePath" .) }}
{{- $_ := set $p "ssl.keystore.type" $k.tls.keystore.type }}
{{- end }}
{{- if not $k.tls.endpointIdentification }}
{{- $_ := set $p "ssl.endpoint.identification.algorithm" "" }}
{{- end }}
{{- end }}
{{- if $k.sasl.enabled }}
{{- $_ := set $p "sasl.mechanism" $k.sasl.mechanism }}
{{- if eq $k.sasl.mechanism "OAUTHBEARER" }}
{{- $_ := set $p "sasl.login.callback.handler.class" "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler" }}
{{- $_ := set $p "sasl.oauthbearer.token.endpoint.url" $k.sasl.oauth.tokenEndpointUrl }}
{{- end }}
{{- end }}
{{- range $name, $value := $k.extraProperties }}
{{- $_ := set $p $name (include "waybill.propertyValue" $value) }}
{{- end }}
{{- toYaml $p }}
{{- end }}

{{/*
Client properties that carry secrets, as YAML. The secrets themselves are environment variables
from the existing Secrets (waybill.kafka.secretEnv); "ref" says how a property refers to them:
"kubernetes" writes $(VAR), which the kubelet expands in env values; "kafka" writes ${env:VAR},
which Kafka's EnvVarConfigProvider expands in a client.properties file.
*/}}
{{- define "waybill.kafka.secretProperties" -}}
{{- $k := .context.Values.kafka }}
{{- $ref := ternary "$(%s)" "${env:%s}" (eq .ref "kubernetes") }}
{{- $p := dict }}
{{- if $k.sasl.enabled }}
{{- if eq $k.sasl.mechanism "OAUTHBEARER" }}
{{- $scope := ternary "" (printf " scope=\"%s\"" $k.sasl.oauth.scope) (empty $k.sasl.oauth.scope) }}
{{- $_ := set $p "sasl.jaas.config" (printf "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId=\"%s\" clientSecret=\"%s\"%s;" (printf $ref "WAYBILL_KAFKA_OAUTH_CLIENT_ID") (printf $ref "WAYBILL_KAFKA_OAUTH_CLIENT_SECRET") $scope) }}
{{- else }}
{{- $module := ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $k.sasl.mechanism "PLAIN") }}
{{- $_ := set $p "sasl.jaas.config" (printf "%s required username=\"%s\" password=\"%s\";" $module (printf $ref "WAYBILL_KAFKA_SASL_USERNAME") (printf $ref "WAYBILL_KAFKA_SASL_PASSWORD")) }}
{{- end }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.truststore.existingSecret $k.tls.truststore.passwordKey }}
{{- $_ := set $p "ssl.truststore.password" (printf $ref "WAYBILL_KAFKA_TRUSTSTORE_PASSWORD") }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.keystore.existingSecret $k.tls.keystore.passwordKey }}
{{- $_ := set $p "ssl.keystore.password" (printf $ref "WAYBILL_KAFKA_KEYSTORE_PASSWORD") }}
{{- $_ := set $p "ssl.key.password" (printf $ref "WAYBILL_KAFKA_KEYSTORE_PASSWORD") }}
{{- end }}
{{- if $p }}
{{- toYaml $p }}
{{- end }}
{{- end }}

{{/*
Environment variables holding the Kafka credentials, read from the existing Secrets. Their names
do not start with KAFKA_: the gateway passes every KAFKA_* variable to its Kafka client.
*/}}
{{- define "waybill.kafka.secretEnv" -}}
{{- $k := .Values.kafka }}
{{- if $k.sasl.enabled }}
{{- if eq $k.sasl.mechanism "OAUTHBEARER" }}
- name: WAYBILL_KAFKA_OAUTH_CLIENT_ID
  {{- if $k.sasl.oauth.clientIdKey }}
  valueFrom:
    secretKeyRef:
      name: {{ $k.sasl.existingSecret }}
      key: {{ $k.sasl.oauth.clientIdKey }}
  {{- else }}
  value: {{ $k.sasl.oauth.clientId | quote }}
  {{- end }}
- name: WAYBILL_KAFKA_OAUTH_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $k.sasl.existingSecret }}
      key: {{ $k.sasl.oauth.clientSecretKey }}
{{- else }}
- name: WAYBILL_KAFKA_SASL_USERNAME
  {{- if $k.sasl.usernameKey }}
  valueFrom:
    secretKeyRef:
      name: {{ $k.sasl.existingSecret }}
      key: {{ $k.sasl.usernameKey }}
  {{- else }}
  value: {{ $k.sasl.username | quote }}
  {{- end }}
- name: WAYBILL_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $k.sasl.existingSecret }}
      key: {{ $k.sasl.passwordKey }}
{{- end }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.truststore.existingSecret $k.tls.truststore.passwordKey }}
- name: WAYBILL_KAFKA_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $k.tls.truststore.existingSecret }}
      key: {{ $k.tls.truststore.passwordKey }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.keystore.existingSecret $k.tls.keystore.passwordKey }}
- name: WAYBILL_KAFKA_KEYSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $k.tls.keystore.existingSecret }}
      key: {{ $k.tls.keystore.passwordKey }}
{{- end }}
{{- end }}

{{- define "waybill.kafka.volumes" -}}
{{- $k := .Values.kafka }}
{{- if and $k.tls.enabled $k.tls.truststore.existingSecret }}
- name: kafka-truststore
  secret:
    secretName: {{ $k.tls.truststore.existingSecret }}
    items:
      - key: {{ $k.tls.truststore.key }}
        path: {{ $k.tls.truststore.key }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.keystore.existingSecret }}
- name: kafka-keystore
  secret:
    secretName: {{ $k.tls.keystore.existingSecret }}
    items:
      - key: {{ $k.tls.keystore.key }}
        path: {{ $k.tls.keystore.key }}
{{- end }}
{{- end }}

{{- define "waybill.kafka.volumeMounts" -}}
{{- $k := .Values.kafka }}
{{- if and $k.tls.enabled $k.tls.truststore.existingSecret }}
- name: kafka-truststore
  mountPath: /etc/waybill/kafka/truststore
  readOnly: true
{{- end }}
{{- if and $k.tls.enabled $k.tls.keystore.existingSecret }}
- name: kafka-keystore
  mountPath: /etc/waybill/kafka/keystore
  readOnly: true
{{- end }}
{{- end }}

{{/* ConfigMap entries of a service whose Kafka client takes every KAFKA_<PROPERTY> variable (gateway, planner API). */}}
{{- define "waybill.kafka.clientVariables" -}}
KAFKA_BOOTSTRAP_SERVERS: {{ .Values.kafka.bootstrapServers | quote }}
{{- range $name, $value := include "waybill.kafka.plainProperties" . | fromYaml }}
{{ printf "kafka.%s" $name | include "waybill.envName" }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* env entries with the Kafka secrets of such a service: the variables from the Secrets, then the properties built from them. */}}
{{- define "waybill.kafka.clientSecretVariables" -}}
{{- with include "waybill.kafka.secretEnv" . }}
{{ . | trim }}
{{- end }}
{{- range $name, $value := include "waybill.kafka.secretProperties" (dict "context" $ "ref" "kubernetes") | fromYaml }}
- name: {{ printf "kafka.%s" $name | include "waybill.envName" }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* JVM options the Kafka clients need: Kafka 4 only fetches OAuth tokens from URLs allowed here. */}}
{{- define "waybill.kafka.jvmOptions" -}}
{{- $k := .Values.kafka }}
{{- if and $k.sasl.enabled (eq $k.sasl.mechanism "OAUTHBEARER") }}
{{- printf "-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=%s" $k.sasl.oauth.tokenEndpointUrl }}
{{- end }}
{{- end }}

{{/* JAVA_OPTS_APPEND of a service: (dict "context" $ "jvm" .Values.engine.jvm) */}}
{{- define "waybill.javaOpts" -}}
{{- $opts := list "-Djava.util.logging.manager=org.jboss.logmanager.LogManager" }}
{{- with include "waybill.kafka.jvmOptions" .context }}
{{- $opts = append $opts . }}
{{- end }}
{{- with .jvm.options }}
{{- $opts = append $opts . }}
{{- end }}
{{- join " " $opts }}
{{- end }}

{{/* ---------------------------------------------------------------------------------------------
Bearer token verification (gateway, planner API): a public key from a Secret or a JWKS URL
--------------------------------------------------------------------------------------------- */}}

{{/* Where a service's verification key is mounted: (dict "component" "gateway" "jwt" .Values.gateway.auth.jwt) */}}
{{- define "waybill.jwt.keyDir" -}}
/etc/waybill/{{ .component }}/jwt
{{- end }}

{{/* True (non-empty) when the service can verify tokens: (dict "jwt" ...) */}}
{{- define "waybill.jwt.configured" -}}
{{- if or .jwt.publicKeySecret .jwt.jwksUrl }}true{{ end }}
{{- end }}

{{/*
ConfigMap entries of token verification: (dict "component" "gateway" "jwt" .Values.gateway.auth.jwt).
mp.jwt.verify.publickey.location takes a key file or a JWKS URL alike.
*/}}
{{- define "waybill.jwt.variables" -}}
{{- if .jwt.publicKeySecret }}
MP_JWT_VERIFY_PUBLICKEY_LOCATION: {{ printf "file:%s/%s" (include "waybill.jwt.keyDir" .) .jwt.publicKeySecretKey | quote }}
{{- else if .jwt.jwksUrl }}
MP_JWT_VERIFY_PUBLICKEY_LOCATION: {{ .jwt.jwksUrl | quote }}
{{- end }}
{{- with .jwt.issuer }}
MP_JWT_VERIFY_ISSUER: {{ . | quote }}
{{- end }}
{{- end }}

{{/* The key's Secret volume: read-only, readable by the pod's group (fsGroup) only. */}}
{{- define "waybill.jwt.volumes" -}}
{{- if .jwt.publicKeySecret }}
- name: {{ .component }}-jwt-key
  secret:
    secretName: {{ .jwt.publicKeySecret }}
    defaultMode: 288 # 0440
    items:
      - key: {{ .jwt.publicKeySecretKey }}
        path: {{ .jwt.publicKeySecretKey }}
{{- end }}
{{- end }}

{{- define "waybill.jwt.volumeMounts" -}}
{{- if .jwt.publicKeySecret }}
- name: {{ .component }}-jwt-key
  mountPath: {{ include "waybill.jwt.keyDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* ---------------------------------------------------------------------------------------------
Gateway authentication: registered sources from a Secret's properties file, JWT verification key
--------------------------------------------------------------------------------------------- */}}

{{- define "waybill.gateway.sourcesPath" -}}
/etc/waybill/gateway/sources/{{ .Values.gateway.auth.sourcesSecretKey }}
{{- end }}

{{/* True (non-empty) when the gateway can authenticate anyone: sources from a Secret or JWT verification. */}}
{{- define "waybill.gateway.authConfigured" -}}
{{- $auth := .Values.gateway.auth }}
{{- if or $auth.sourcesSecret (include "waybill.jwt.configured" (dict "jwt" $auth.jwt)) }}true{{ end }}
{{- end }}

{{/*
ConfigMap entries of the gateway's authentication. Quarkus reads the properties files listed in
QUARKUS_CONFIG_LOCATIONS at start (registered sources: key hashes and facilities, no secrets in
clear).
*/}}
{{- define "waybill.gateway.authVariables" -}}
{{- $auth := .Values.gateway.auth }}
WAYBILL_GATEWAY_AUTH_ENABLED: {{ $auth.enabled | toString | quote }}
{{- if $auth.sourcesSecret }}
QUARKUS_CONFIG_LOCATIONS: {{ include "waybill.gateway.sourcesPath" . | quote }}
{{- end }}
{{- with include "waybill.jwt.variables" (dict "component" "gateway" "jwt" $auth.jwt) }}
{{ . | trim }}
{{- end }}
{{- end }}

{{/* Secret volumes of the gateway's authentication: read-only, readable by the pod's group (fsGroup) only. */}}
{{- define "waybill.gateway.authVolumes" -}}
{{- $auth := .Values.gateway.auth }}
{{- if $auth.sourcesSecret }}
- name: gateway-sources
  secret:
    secretName: {{ $auth.sourcesSecret }}
    defaultMode: 288 # 0440
    items:
      - key: {{ $auth.sourcesSecretKey }}
        path: {{ $auth.sourcesSecretKey }}
{{- end }}
{{- with include "waybill.jwt.volumes" (dict "component" "gateway" "jwt" $auth.jwt) }}
{{ . | trim }}
{{- end }}
{{- end }}

{{- define "waybill.gateway.authVolumeMounts" -}}
{{- $auth := .Values.gateway.auth }}
{{- if $auth.sourcesSecret }}
- name: gateway-sources
  mountPath: /etc/waybill/gateway/sources
  readOnly: true
{{- end }}
{{- with include "waybill.jwt.volumeMounts" (dict "component" "gateway" "jwt" $auth.jwt) }}
{{ . | trim }}
{{- end }}
{{- end }}

{{/* ---------------------------------------------------------------------------------------------
Pods
--------------------------------------------------------------------------------------------- */}}

{{/* Pod-level settings every Waybill pod shares. */}}
{{- define "waybill.podDefaults" -}}
serviceAccountName: {{ include "waybill.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.automountServiceAccountToken }}
# Service links would inject KAFKA_* variables for a Service named kafka, and the gateway passes
# every KAFKA_* variable to its Kafka client.
enableServiceLinks: false
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* Scheduling: (dict "context" $ "component" "engine" "values" .Values.engine) */}}
{{- define "waybill.scheduling" -}}
{{- $selector := include "waybill.selectorLabels" (dict "context" .context "component" .component) | fromYaml }}
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
{{- with .values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- range . }}
  {{- $constraint := deepCopy . }}
  {{- if not (hasKey $constraint "labelSelector") }}
  {{- $_ := set $constraint "labelSelector" (dict "matchLabels" $selector) }}
  {{- end }}
  - {{ toYaml $constraint | trim | indent 4 | trim }}
  {{- end }}
{{- end }}
{{- end }}

{{/* An HTTP probe: (dict "probe" .Values.engine.livenessProbe) */}}
{{- define "waybill.httpProbe" -}}
httpGet:
  path: {{ .probe.path }}
  port: http
{{- with .probe.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}

{{- define "waybill.probes" -}}
{{- if .startupProbe.enabled }}
startupProbe:
  {{- include "waybill.httpProbe" (dict "probe" .startupProbe) | trim | nindent 2 }}
{{- end }}
{{- if .livenessProbe.enabled }}
livenessProbe:
  {{- include "waybill.httpProbe" (dict "probe" .livenessProbe) | trim | nindent 2 }}
{{- end }}
{{- if .readinessProbe.enabled }}
readinessProbe:
  {{- include "waybill.httpProbe" (dict "probe" .readinessProbe) | trim | nindent 2 }}
{{- end }}
{{- end }}

{{/* The writable /tmp every container needs under a read-only root file system. */}}
{{- define "waybill.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end }}

{{- define "waybill.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* ---------------------------------------------------------------------------------------------
Checks across values that the schema cannot express, with messages that say what to change
--------------------------------------------------------------------------------------------- */}}
{{- define "waybill.validate" -}}
{{- $k := .Values.kafka }}
{{- if $k.sasl.enabled }}
{{- if not $k.sasl.existingSecret }}
{{- fail "kafka.sasl.enabled needs kafka.sasl.existingSecret: the Secret that holds the SASL password or OAuth client secret" }}
{{- end }}
{{- if eq $k.sasl.mechanism "OAUTHBEARER" }}
{{- if not $k.sasl.oauth.tokenEndpointUrl }}
{{- fail "kafka.sasl.mechanism OAUTHBEARER needs kafka.sasl.oauth.tokenEndpointUrl" }}
{{- end }}
{{- if not (or $k.sasl.oauth.clientId $k.sasl.oauth.clientIdKey) }}
{{- fail "kafka.sasl.mechanism OAUTHBEARER needs kafka.sasl.oauth.clientId or kafka.sasl.oauth.clientIdKey" }}
{{- end }}
{{- else if not (or $k.sasl.username $k.sasl.usernameKey) }}
{{- fail (printf "kafka.sasl.mechanism %s needs kafka.sasl.username or kafka.sasl.usernameKey" $k.sasl.mechanism) }}
{{- end }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.truststore.existingSecret (ne $k.tls.truststore.type "PEM") (not $k.tls.truststore.passwordKey) }}
{{- fail (printf "kafka.tls.truststore.type %s needs kafka.tls.truststore.passwordKey" $k.tls.truststore.type) }}
{{- end }}
{{- if and $k.tls.keystore.existingSecret (not $k.tls.enabled) }}
{{- fail "kafka.tls.keystore.existingSecret is set but kafka.tls.enabled is false: a client certificate needs TLS" }}
{{- end }}
{{- if and .Values.gateway.auth.jwt.publicKeySecret .Values.gateway.auth.jwt.jwksUrl }}
{{- fail "gateway.auth.jwt.publicKeySecret and gateway.auth.jwt.jwksUrl are both set: the gateway verifies tokens with one key source (mp.jwt.verify.publickey.location); keep one" }}
{{- end }}
{{- if and .Values.plannerApi.auth.jwt.publicKeySecret .Values.plannerApi.auth.jwt.jwksUrl }}
{{- fail "plannerApi.auth.jwt.publicKeySecret and plannerApi.auth.jwt.jwksUrl are both set: the planner API verifies tokens with one key source (mp.jwt.verify.publickey.location); keep one" }}
{{- end }}
{{- if and .Values.network.seed.enabled (or $k.tls.enabled $k.sasl.enabled) }}
{{- fail "network.seed.enabled: the network publisher (PublishNetwork) connects without TLS or SASL; turn the seed Job off for this Kafka cluster and publish the network from a client that can connect (see the chart's README, \"Network\")" }}
{{- end }}
{{- if and .Values.topics.provisioning.enabled .Values.topics.strimzi.enabled }}
{{- fail "topics.provisioning.enabled and topics.strimzi.enabled are both true: let either the provisioning Job or Strimzi's Topic Operator own the topics" }}
{{- end }}
{{- if and .Values.topics.strimzi.enabled (not .Values.topics.strimzi.clusterName) }}
{{- fail "topics.strimzi.enabled needs topics.strimzi.clusterName: the Strimzi Kafka cluster (strimzi.io/cluster label)" }}
{{- end }}
{{- if and .Values.simulator.enabled (or $k.tls.enabled $k.sasl.enabled) }}
{{- fail "simulator.enabled: the simulator connects without TLS or SASL; turn it off for this Kafka cluster" }}
{{- end }}
{{- if gt (int .Values.engine.minInsyncReplicas) (int .Values.engine.replicationFactor) }}
{{- fail (printf "engine.minInsyncReplicas (%v) must not exceed engine.replicationFactor (%v)" .Values.engine.minInsyncReplicas .Values.engine.replicationFactor) }}
{{- end }}
{{- range $component := list "gateway" "plannerApi" }}
{{- $autoscaling := (index $.Values $component).autoscaling }}
{{- if and $autoscaling.enabled (gt (int $autoscaling.minReplicas) (int $autoscaling.maxReplicas)) }}
{{- fail (printf "%s.autoscaling.minReplicas (%v) must not exceed %s.autoscaling.maxReplicas (%v)" $component $autoscaling.minReplicas $component $autoscaling.maxReplicas) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels and annotations of one alert: (dict "context" $ "alert" name "severity" s "summary" s "description" s) */}}
{{- define "waybill.alertMeta" -}}
labels:
  severity: {{ .severity }}
  {{- with .context.Values.metrics.prometheusRule.alertLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
annotations:
  summary: {{ .summary | quote }}
  description: {{ .description | quote }}
  {{- with .context.Values.metrics.prometheusRule.runbookBaseUrl }}
  runbook_url: {{ printf "%s#%s" . $.alert | quote }}
  {{- end }}
{{- end }}

{{/*
The Secret with the engine API's service token: engine.apiAuth.existingSecret, or the one the chart
makes (templates/engine/api-token-secret.yaml).
*/}}
{{- define "waybill.engine.apiTokenSecret" -}}
{{- default (printf "%s-api-token" (include "waybill.componentName" (dict "context" . "component" "engine"))) .Values.engine.apiAuth.existingSecret -}}
{{- end }}

{{/*
The env entries of every caller of the engine API (engines and the planner API): the token each sends
(WAYBILL_ENGINE_API_TOKEN). (dict "context" $ "alsoAccepted" true) adds the engines' further accepted
tokens, for a rotation.
*/}}
{{- define "waybill.engine.apiTokenEnv" -}}
- name: WAYBILL_ENGINE_API_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "waybill.engine.apiTokenSecret" .context }}
      key: token
{{- if .alsoAccepted }}
- name: WAYBILL_ENGINE_API_TOKENS_ALSO_ACCEPTED
  valueFrom:
    secretKeyRef:
      name: {{ include "waybill.engine.apiTokenSecret" .context }}
      key: also-accepted
      optional: true
{{- end }}
{{- end }}
