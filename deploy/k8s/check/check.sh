#!/usr/bin/env bash
# `make k8s-check`: renders base and every overlay with kustomize and validates each object
# with kubeconform, strictly (unknown fields fail), against Kubernetes' schemas and the
# operators' CRDs that setup.sh installed into the directory given (first argument).
# A kind without a schema fails too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$(cd "$1" && pwd)"
. "$here/versions.env"
for layout in base overlays/dev overlays/prod recovery; do
    "$tools/bin/kustomize" build "$here/../$layout" | "$tools/bin/kubeconform" -strict -summary \
        -output text -kubernetes-version "$KUBERNETES_VERSION" \
        -schema-location "$tools/schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
        -schema-location "$tools/schemas/crds/{{ .Group }}_{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
        - | sed "s|^|$layout: |"
done
