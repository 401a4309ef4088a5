{{/*
Names and labels.
*/}}
{{- define "wf-engine.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wf-engine.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wf-engine.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wf-engine.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wf-engine.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "wf-engine.labels" -}}
helm.sh/chart: {{ include "wf-engine.chart" . }}
{{ include "wf-engine.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: engine
{{- end }}

{{- define "wf-engine.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wf-engine.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "wf-engine.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
The port the engine listens on inside the pod.
*/}}
{{- define "wf-engine.port" -}}8080{{- end }}

{{/*
wf-engine.authMode is config.auth.mode, none when unset (the engine's default).
*/}}
{{- define "wf-engine.authMode" -}}
{{- dig "auth" "mode" "none" (.Values.config | default dict) }}
{{- end }}

{{/*
wf-engine.insecure is "true" when the engine runs without authentication
(allowInsecureNoAuth): it then listens on loopback only.
*/}}
{{- define "wf-engine.insecure" -}}
{{- if eq (include "wf-engine.authMode" .) "none" }}true{{ end }}
{{- end }}

{{- define "wf-engine.listenAddress" -}}
{{- if include "wf-engine.insecure" . }}127.0.0.1:{{ include "wf-engine.port" . }}{{ else }}0.0.0.0:{{ include "wf-engine.port" . }}{{ end }}
{{- end }}

{{/*
wf-engine.embeddedStore is "true" when the engine keeps its data under /data
(SQLite): no database URL Secret, and config.database.url empty or sqlite:.
*/}}
{{- define "wf-engine.embeddedStore" -}}
{{- $url := dig "database" "url" "" (.Values.config | default dict) | toString }}
{{- if and (not .Values.secrets.databaseURL.existingSecret) (or (eq $url "") (hasPrefix "sqlite:" $url)) }}true{{ end }}
{{- end }}

{{- define "wf-engine.scheme" -}}
{{- if .Values.tls.existingSecret }}https{{ else }}http{{ end }}
{{- end }}

{{/*
wf-engine.publicURL is config.http.public_url, else the first Ingress host.
*/}}
{{- define "wf-engine.publicURL" -}}
{{- $url := dig "http" "public_url" "" (.Values.config | default dict) }}
{{- if $url }}
{{- $url }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- $host := (first .Values.ingress.hosts).host }}
{{- printf "%s://%s" (ternary "https" "http" (gt (len .Values.ingress.tls) 0)) $host }}
{{- end }}
{{- end }}

{{/*
wf-engine.config is the engine's configuration file: .Values.config with the
keys the chart owns set.
*/}}
{{- define "wf-engine.config" -}}
{{- $cfg := deepCopy (.Values.config | default dict) }}
{{- $http := get $cfg "http" | default dict }}
{{- $_ := set $http "address" (include "wf-engine.listenAddress" .) }}
{{- with include "wf-engine.publicURL" . }}
{{- $_ := set $http "public_url" . }}
{{- end }}
{{- if .Values.tls.existingSecret }}
{{- $_ := set $http "tls_cert_file" "/etc/wf-engine/tls/tls.crt" }}
{{- $_ := set $http "tls_key_file" "/etc/wf-engine/tls/tls.key" }}
{{- end }}
{{- $_ := set $cfg "http" $http }}
{{- if include "wf-engine.embeddedStore" . }}
{{- $db := get $cfg "database" | default dict }}
{{- $_ := set $db "data_dir" "/data" }}
{{- $_ := set $cfg "database" $db }}
{{- end }}
{{- toYaml $cfg }}
{{- end }}

{{/*
wf-engine.replicas is replicaCount as a number ("2" from --set-string too).
*/}}
{{- define "wf-engine.replicas" -}}{{ .Values.replicaCount | int }}{{- end }}

{{/*
wf-engine.validate fails rendering on values the engine or this chart cannot
run with safely. Every template that matters includes it.
*/}}
{{- define "wf-engine.validate" -}}
{{- $cfg := .Values.config | default dict }}
{{- $replicas := include "wf-engine.replicas" . | int }}
{{- $embedded := include "wf-engine.embeddedStore" . }}
{{- if lt $replicas 1 }}
{{- fail (printf "replicaCount must be at least 1, got %v" .Values.replicaCount) }}
{{- end }}
{{- if and (gt $replicas 1) $embedded }}
{{- fail (printf "replicaCount %d needs PostgreSQL: the embedded SQLite store is single-node (one file, one writer). Name the database URL's Secret in secrets.databaseURL, or keep replicaCount 1" $replicas) }}
{{- end }}
{{- if and (gt $replicas 1) (not .Values.secrets.clusterSecret.existingSecret) }}
{{- fail (printf "replicaCount %d needs secrets.clusterSecret (a Secret with at least 16 random bytes): the pods forward requests for each other's partitions with it" $replicas) }}
{{- end }}
{{- if and (gt $replicas 1) .Values.allowInsecureNoAuth }}
{{- fail "replicaCount > 1 with allowInsecureNoAuth: the engine then listens on 127.0.0.1, where the other pods cannot forward to it" }}
{{- end }}
{{- if and (gt $replicas 1) .Values.tls.existingSecret }}
{{- fail "replicaCount > 1 with tls.existingSecret: a pod forwards to another at its pod IP and checks its certificate against the system's roots, which a certificate for the service's name does not pass. Terminate TLS at the Ingress, or keep replicaCount 1" }}
{{- end }}
{{- if and .Values.secrets.clusterSecret.existingSecret $embedded }}
{{- fail "secrets.clusterSecret is for several pods on PostgreSQL, but secrets.databaseURL is empty (the embedded SQLite store is single-node)" }}
{{- end }}
{{- if dig "cluster" "secret" "" $cfg }}
{{- fail "config.cluster.secret must not be in values: create a Secret and name it in secrets.clusterSecret (env WF_CLUSTER_SECRET)" }}
{{- end }}
{{- if and (not $embedded) (or (dig "cluster" "node_id" "" $cfg) (dig "cluster" "advertise_address" "" $cfg)) }}
{{- fail "config.cluster.node_id and config.cluster.advertise_address are set by the chart (the pod's name and IP): leave them out" }}
{{- end }}
{{- $mode := include "wf-engine.authMode" . }}
{{- if not (has $mode (list "none" "basic" "oidc")) }}
{{- fail (printf "config.auth.mode must be oidc (or basic, or none with allowInsecureNoAuth), got %q" $mode) }}
{{- end }}
{{- if and (eq $mode "none") (not .Values.allowInsecureNoAuth) }}
{{- fail "config.auth.mode is none: the engine refuses to listen on the pod's address without authentication. Set config.auth.mode oidc (see values-production.yaml), or, on a development cluster only, allowInsecureNoAuth: true (the engine then listens on 127.0.0.1 and is reached with kubectl port-forward)" }}
{{- end }}
{{- if and (eq $mode "none") .Values.ingress.enabled }}
{{- fail "ingress.enabled needs an authentication mode: with config.auth.mode none the engine listens on 127.0.0.1 and must not be exposed" }}
{{- end }}
{{- if eq $mode "basic" }}
{{- fail "config.auth.mode basic keeps bcrypt password hashes in the configuration file, which this chart renders into a ConfigMap: use oidc on Kubernetes (docs/security.md)" }}
{{- end }}
{{- if dig "auth" "basic" "users" nil $cfg }}
{{- fail "config.auth.basic.users holds password hashes, which are secrets: the chart does not put them into a ConfigMap" }}
{{- end }}
{{- if dig "auth" "oidc" "client_secret" "" $cfg }}
{{- fail "config.auth.oidc.client_secret must not be in values: create a Secret and name it in secrets.oidcClientSecret (env WF_AUTH_OIDC_CLIENT_SECRET)" }}
{{- end }}
{{- if and (dig "auth" "oidc" "client_id" "" $cfg) (not .Values.secrets.oidcClientSecret.existingSecret) }}
{{- fail "config.auth.oidc.client_id (the web app's login) needs its client secret: name a Secret in secrets.oidcClientSecret.existingSecret" }}
{{- end }}
{{- if and .Values.secrets.oidcClientSecret.existingSecret (not (dig "auth" "oidc" "client_id" "" $cfg)) }}
{{- fail "secrets.oidcClientSecret is set but config.auth.oidc.client_id is not: set both (web app login) or neither (bearer tokens only)" }}
{{- end }}
{{- if and (dig "auth" "oidc" "client_id" "" $cfg) (not (include "wf-engine.publicURL" .)) }}
{{- fail "config.auth.oidc.client_id (the web app's login) needs the URL browsers reach the engine at: set config.http.public_url or enable the Ingress" }}
{{- end }}
{{- $dbURL := dig "database" "url" "" $cfg | toString }}
{{- if or (regexMatch "://[^/@]*:[^/@]*@" $dbURL) (contains "password" (lower $dbURL)) }}
{{- fail "config.database.url holds a password: put the URL into a Secret and name it in secrets.databaseURL (env WF_DATABASE_URL)" }}
{{- end }}
{{- if dig "connectors" "secrets" nil $cfg }}
{{- fail "config.connectors.secrets holds secret values: use secrets.connectors (env WF_SECRET_<NAME> from a Secret)" }}
{{- end }}
{{- range .Values.secrets.connectors }}
{{- if not (regexMatch "^[A-Za-z0-9_][A-Za-z0-9_.-]*$" (toString .name)) }}
{{- fail (printf "secrets.connectors: name %q must match [A-Za-z0-9_][A-Za-z0-9_.-]* ({{secrets.NAME}} in connector inputs)" (toString .name)) }}
{{- end }}
{{- if or (not .existingSecret) (not .key) }}
{{- fail (printf "secrets.connectors %s: existingSecret and key are required" .name) }}
{{- end }}
{{- end }}
{{- with dig "http" "address" "" $cfg }}
{{- fail "config.http.address is set by the chart (0.0.0.0:8080): leave it out" }}
{{- end }}
{{- if and .Values.persistence.enabled .Values.persistence.existingClaim (not (include "wf-engine.embeddedStore" .)) }}
{{- fail "persistence.existingClaim is for the embedded SQLite store, but secrets.databaseURL names a store elsewhere" }}
{{- end }}
{{- end }}
