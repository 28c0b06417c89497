#!/usr/bin/env bash
# Installs what `make k8s-check` uses into a git-ignored directory (first argument), once:
# kustomize and kubeconform from the Go module proxy, Kubernetes' schemas from the
# kubernetes-validate package (PyPI, in .venv), CloudNativePG's CRDs from its Go module and
# Strimzi's generated from its Maven artifacts (strimzi/pom.xml), all turned into JSON Schemas
# by kubeconform's own openapi2jsonschema.py. Versions: versions.env.
# Afterwards nothing here needs the network.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
python="${2:-.venv/bin/python}"; python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")"
# shellcheck source=versions.env
. "$here/versions.env"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

GOBIN="$out/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
GOBIN="$out/bin" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"

module_dir() {  # the unpacked module in Go's module cache (downloaded when absent)
    go mod download -json "$1" | "$python" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])'
}

rm -rf "$out/schemas" && mkdir -p "$out/schemas/crds"
"$python" "$here/kubernetes_schemas.py" "$KUBERNETES_VERSION" "$out/schemas"
cnpg="$(module_dir "github.com/cloudnative-pg/cloudnative-pg@$CNPG_VERSION")"
convert="$(module_dir "github.com/yannh/kubeconform@$KUBECONFORM_VERSION")/scripts/openapi2jsonschema.py"
(cd "$out/schemas/crds" && FILENAME_FORMAT='{fullgroup}_{kind}_{version}' \
    "$python" "$convert" "$cnpg"/config/crd/bases/postgresql.cnpg.io_*.yaml >/dev/null)
# Strimzi's CRDs as its own build makes them: its API classes through its CRD generator (Maven
# Central; the generator needs Java >= 21: $JAVA, or the newest JDK installed).
java="${JAVA:-$(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -V | tail -1)}"
[ -x "$java" ] || java="$(command -v java)"
mvn -q -f "$here/strimzi/pom.xml" -Dstrimzi.version="$STRIMZI_VERSION" dependency:build-classpath \
    -Dmdep.outputFile="$out/strimzi.classpath"
crds="$out/crds" && rm -rf "$crds" && mkdir -p "$crds"
model=io.strimzi.api.kafka.model
"$java" -cp "$(cat "$out/strimzi.classpath")" io.strimzi.crdgenerator.CrdGenerator --yaml \
    --crd-api-version v1 --api-versions v1 --storage-version v1 \
    "$model.kafka.Kafka=$crds/kafka.yaml" "$model.nodepool.KafkaNodePool=$crds/kafkanodepool.yaml" \
    "$model.topic.KafkaTopic=$crds/kafkatopic.yaml" "$model.user.KafkaUser=$crds/kafkauser.yaml" >/dev/null
(cd "$out/schemas/crds" && FILENAME_FORMAT='{fullgroup}_{kind}_{version}' \
    "$python" "$convert" "$crds"/*.yaml >/dev/null)
echo "$KUSTOMIZE_VERSION $KUBECONFORM_VERSION $KUBERNETES_VERSION $CNPG_VERSION $STRIMZI_VERSION" > "$out/.ready"
