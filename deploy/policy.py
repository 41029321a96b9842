#!/usr/bin/env python3
"""Project rules for deploy/ that schema validation cannot see.

kubernetes-validate checks each document against the API schema; this checks
what the documents must mean for stdfund: replicas per overlay, native gRPC
probes, the security context, termination grace longer than preStop + drain,
Service ports (unique port/protocol pairs, which the API server enforces but
the schema does not), selectors that match, readiness on the claim registry's health and
liveness independent of the database, STDFUND_CREATE_DATABASE=false, no Secret in a
rendering, the alerts of the
PrometheusRule (names, severities, the metrics they read), and the compose
stack's ordering and hardening.

  policy.py overlay NAME RENDERED.yaml   (NAME: dev or prod)
  policy.py secret-template FILE
  policy.py compose FILE
  policy.py dockerfile FILE

Prints one line per failed rule and exits 1 if any failed.
"""

from __future__ import annotations

import pathlib
import re
import sys
import tomllib
from typing import Any

import yaml

EXPECTED = {
    "dev": {"replicas": 1, "namespace": "stdfund-dev"},
    "prod": {"replicas": 3, "namespace": "stdfund-prod"},
}
GRPC_PORT = 50051
METRICS_PORT = 9090
# The alerts docs/OPERATIONS.md describes ("Alerts"), with their severity.
ALERTS = {
    "StdfundServerErrors": "warning",
    "StdfundEstimateSlow": "warning",
    "StdfundDatabasePoolExhausted": "warning",
    "StdfundRegistryDatabaseDown": "critical",
    "StdfundTargetDown": "critical",
}
# The health service names the probes ask for.
REGISTRY_SERVICE = "stdfund.v1.RegistryService"

# The series `stdfund serve` exports on /metrics (docs/OPERATIONS.md,
# "Metrics"; crates/stdfund-server/tests/observability.rs checks the
# alerts' names against a running server), plus Prometheus' own `up`.
METRICS = {
    "up",
    "stdfund_grpc_requests_total",
    "stdfund_grpc_request_duration_seconds_bucket",
    "stdfund_grpc_request_duration_seconds_sum",
    "stdfund_grpc_request_duration_seconds_count",
    "stdfund_grpc_requests_in_flight",
    "stdfund_estimate_batch_items_total",
    "stdfund_build_info",
    "stdfund_db_pool_connections",
    "stdfund_db_pool_max_connections",
    "stdfund_registry_database_up",
}

failures: list[str] = []


def need(cond: Any, msg: str) -> None:
    if not cond:
        failures.append(msg)


def one(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    if len(found) != 1:
        failures.append(f"expected exactly one {kind}/{name}, found {len(found)}")
        return {}
    return found[0]


def subset(small: dict[str, str], big: dict[str, str]) -> bool:
    return bool(small) and all(big.get(k) == v for k, v in small.items())


def check_pod(where: str, pod: dict[str, Any]) -> None:
    psc = pod.get("securityContext", {})
    need(psc.get("runAsNonRoot") is True, f"{where}: pod runAsNonRoot must be true")
    need(isinstance(psc.get("runAsUser"), int) and psc["runAsUser"] > 0,
         f"{where}: pod runAsUser must be a non-zero uid")
    need(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
         f"{where}: seccompProfile RuntimeDefault")
    need(pod.get("automountServiceAccountToken") is False,
         f"{where}: automountServiceAccountToken must be false")
    for c in pod.get("containers", []) + pod.get("initContainers", []):
        cw = f"{where} container {c.get('name')}"
        sc = c.get("securityContext", {})
        need(sc.get("readOnlyRootFilesystem") is True, f"{cw}: readOnlyRootFilesystem")
        need(sc.get("allowPrivilegeEscalation") is False, f"{cw}: allowPrivilegeEscalation false")
        need("ALL" in sc.get("capabilities", {}).get("drop", []), f"{cw}: drop ALL capabilities")
        need(sc.get("runAsNonRoot") is True, f"{cw}: runAsNonRoot")
        res = c.get("resources", {})
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                need(r in res.get(part, {}), f"{cw}: resources.{part}.{r} missing")
        image = c.get("image", "")
        need(":" in image.rsplit("/", 1)[-1] or "@sha256:" in image, f"{cw}: image {image!r} has no tag")
        need(not image.endswith(":latest"), f"{cw}: image must not be :latest")


def check_overlay(name: str, path: str) -> None:
    exp = EXPECTED[name]
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    need(not [d for d in docs if d["kind"] == "Secret"],
         "a rendering must not contain a Secret (create it from secret.template.yaml)")
    ns = one(docs, "Namespace", exp["namespace"])
    need(ns.get("metadata", {}).get("labels", {}).get("pod-security.kubernetes.io/enforce")
         == "restricted", "namespace: Pod Security Admission enforce=restricted")
    for d in docs:
        if d["kind"] != "Namespace":
            need(d["metadata"].get("namespace") == exp["namespace"],
                 f"{d['kind']}/{d['metadata']['name']}: namespace {exp['namespace']}")

    check_alerts(docs)

    cm = one(docs, "ConfigMap", "stdfund-config").get("data", {})
    for k in ("STDFUND_LISTEN", "STDFUND_METRICS_LISTEN", "STDFUND_DRAIN_SECONDS",
              "STDFUND_CORS_ORIGINS", "STDFUND_TOKENS_FILE", "STDFUND_CREATE_DATABASE",
              "STDFUND_AUDIT_KEY_FILE"):
        need(k in cm, f"ConfigMap: {k} missing")
    need(cm.get("STDFUND_CREATE_DATABASE") == "false",
         "ConfigMap: STDFUND_CREATE_DATABASE must be \"false\" (a lost database is an outage, "
         "not a new empty registry)")
    need(cm.get("STDFUND_LISTEN", "").endswith(f":{GRPC_PORT}"), "ConfigMap: listen port 50051")
    need(cm.get("STDFUND_METRICS_LISTEN", "").endswith(f":{METRICS_PORT}"),
         "ConfigMap: metrics port 9090")
    drain = int(cm.get("STDFUND_DRAIN_SECONDS", "20"))

    dep = one(docs, "Deployment", "stdfund")
    spec = dep.get("spec", {})
    need(spec.get("replicas") == exp["replicas"], f"Deployment replicas must be {exp['replicas']}")
    pod_labels = spec.get("template", {}).get("metadata", {}).get("labels", {})
    need(subset(spec.get("selector", {}).get("matchLabels", {}), pod_labels),
         "Deployment selector must match its pod labels")
    ann = spec.get("template", {}).get("metadata", {}).get("annotations", {})
    need(ann.get("prometheus.io/scrape") == "true", "pod annotation prometheus.io/scrape")
    need(ann.get("prometheus.io/port") == str(METRICS_PORT), "pod annotation prometheus.io/port")
    need(ann.get("prometheus.io/path") == "/metrics", "pod annotation prometheus.io/path")
    pod = spec.get("template", {}).get("spec", {})
    check_pod("Deployment", pod)
    containers = pod.get("containers", [{}])
    c = containers[0] if containers else {}
    need(c.get("args") == ["serve"], "Deployment runs `stdfund serve`")
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    need(ports == {"grpc": GRPC_PORT, "metrics": METRICS_PORT}, f"container ports {ports}")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        g = c.get(probe, {}).get("grpc", {})
        need(g.get("port") == GRPC_PORT and "service" in g,
             f"{probe} must be a native grpc probe on {GRPC_PORT} naming a service")
    need(c.get("livenessProbe", {}).get("grpc", {}).get("service")
         in ("", "stdfund.v1.EstimateService"), "liveness must not depend on the database")
    need(c.get("startupProbe", {}).get("grpc", {}).get("service")
         in ("", "stdfund.v1.EstimateService"), "startup must not depend on the database")
    need(c.get("readinessProbe", {}).get("grpc", {}).get("service") == REGISTRY_SERVICE,
         f"readiness must ask for {REGISTRY_SERVICE} (NOT_SERVING while its database fails)")
    sleep = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    need(sleep >= 1, "preStop sleep so endpoints are removed before SIGTERM")
    grace = pod.get("terminationGracePeriodSeconds", 30)
    need(grace > sleep + drain,
         f"terminationGracePeriodSeconds {grace} must exceed preStop {sleep} + drain {drain}")
    env = {e["name"]: e for e in c.get("env", [])}
    need(env.get("STDFUND_DATABASE_URL", {}).get("valueFrom", {}).get("secretKeyRef", {})
         .get("name") == "stdfund-secrets", "database URL comes from the Secret")
    mounts = [m.get("mountPath", "") for m in c.get("volumeMounts", [])]
    need(any(cm.get("STDFUND_TOKENS_FILE", "").startswith(m + "/") for m in mounts),
         "STDFUND_TOKENS_FILE must lie under a mounted volume")
    need(any(cm.get("STDFUND_AUDIT_KEY_FILE", "").startswith(m + "/") for m in mounts),
         "STDFUND_AUDIT_KEY_FILE must lie under a mounted volume (the audit key, kept off "
         "the database)")

    svc = one(docs, "Service", "stdfund").get("spec", {})
    need(subset(svc.get("selector", {}), pod_labels), "Service selector must match pods")
    sports = svc.get("ports", [])
    names = [p.get("name") for p in sports]
    need(sorted(names) == ["grpc", "grpc-web", "metrics"], f"Service port names {names}")
    need(len(names) == len(set(names)), "Service port names must be unique")
    pairs = [(p.get("port"), p.get("protocol", "TCP")) for p in sports]
    need(len(pairs) == len(set(pairs)), f"Service port/protocol pairs must be unique: {pairs}")
    for p in sports:
        need(p.get("targetPort") in ports or p.get("targetPort") in ports.values(),
             f"Service port {p.get('name')} targets unknown container port {p.get('targetPort')}")
    by_name = {p.get("name"): p for p in sports}
    need(by_name.get("grpc", {}).get("port") == GRPC_PORT, "Service grpc port 50051")
    need(by_name.get("grpc-web", {}).get("targetPort") == "grpc", "grpc-web targets the gRPC port")
    need(by_name.get("metrics", {}).get("port") == METRICS_PORT, "Service metrics port 9090")

    hpa = one(docs, "HorizontalPodAutoscaler", "stdfund")
    need(hpa.get("apiVersion") == "autoscaling/v2", "HPA autoscaling/v2")
    hs = hpa.get("spec", {})
    need(hs.get("scaleTargetRef", {}).get("name") == "stdfund"
         and hs.get("scaleTargetRef", {}).get("kind") == "Deployment", "HPA targets the Deployment")
    need(hs.get("minReplicas") == exp["replicas"], "HPA minReplicas equals the Deployment replicas")
    need(hs.get("maxReplicas", 0) >= hs.get("minReplicas", 1), "HPA max >= min")

    pdb = one(docs, "PodDisruptionBudget", "stdfund").get("spec", {})
    need(subset(pdb.get("selector", {}).get("matchLabels", {}), pod_labels),
         "PDB selector must match the server pods")
    if "minAvailable" in pdb:
        need(pdb["minAvailable"] < exp["replicas"], "PDB minAvailable must leave room to evict")

    np = one(docs, "NetworkPolicy", "stdfund").get("spec", {})
    need(subset(np.get("podSelector", {}).get("matchLabels", {}), pod_labels),
         "NetworkPolicy must select the server pods")
    in_ports = {p.get("port") for r in np.get("ingress", []) for p in r.get("ports", [])}
    need({GRPC_PORT, METRICS_PORT} <= in_ports, f"NetworkPolicy ingress ports {in_ports}")
    eg_ports = {p.get("port") for r in np.get("egress", []) for p in r.get("ports", [])}
    need({53, 5432} <= eg_ports, f"NetworkPolicy egress ports {eg_ports}")

    job = one(docs, "Job", "stdfund-migrate").get("spec", {})
    jpod = job.get("template", {}).get("spec", {})
    check_pod("Job", jpod)
    jc = (jpod.get("containers") or [{}])[0]
    need(jc.get("args") == ["migrate"], "migration Job runs `stdfund migrate`")
    need(jpod.get("restartPolicy") in ("Never", "OnFailure"), "Job restartPolicy")
    need(subset(np.get("podSelector", {}).get("matchLabels", {}),
                job.get("template", {}).get("metadata", {}).get("labels", {})),
         "NetworkPolicy must also select the migration pods (egress to PostgreSQL)")
    need(jc.get("image") == c.get("image"), "Job and Deployment run the same image")
    if name == "prod":
        need("/" in c.get("image", ""), "prod image comes from a registry")
        need(pod.get("topologySpreadConstraints"), "prod spreads pods over nodes")


def check_alerts(docs: list[dict[str, Any]]) -> None:
    rule = one(docs, "PrometheusRule", "stdfund")
    rules = [r for g in rule.get("spec", {}).get("groups", []) for r in g.get("rules", [])]
    names = {r.get("alert"): r for r in rules if "alert" in r}
    need(set(names) == set(ALERTS),
         f"PrometheusRule alerts {sorted(names)} must be {sorted(ALERTS)}")
    for alert, r in names.items():
        sev = r.get("labels", {}).get("severity")
        need(sev == ALERTS.get(alert), f"{alert}: severity {sev!r}, want {ALERTS.get(alert)!r}")
        need("for" in r, f"{alert}: needs a `for` duration (no alert on one bad scrape)")
        need(r.get("annotations", {}).get("summary"), f"{alert}: needs a summary")
        expr = str(r.get("expr", ""))
        # Metric names: identifiers followed by `{`, `[`, a space or the end,
        # that are not PromQL functions, keywords or label names.
        used = set(re.findall(r"\b(stdfund_[a-z_]+|process_[a-z_]+|up)\b(?=\s*[{\[ )=]|$)", expr))
        need(used, f"{alert}: reads no metric")
        for m in used:
            need(m in METRICS or m.startswith("process_"),
                 f"{alert}: `{m}` is not a series stdfund exports")


def check_secret_template(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    need(len(docs) == 1 and docs[0]["kind"] == "Secret", "one Secret")
    data = docs[0].get("stringData", {}) if docs else {}
    need(set(data) == {"database-url", "tokens.toml", "audit.key"}, f"Secret keys {sorted(data)}")
    for k, v in data.items():
        need("REPLACE_ME" in v, f"Secret {k} must be an obvious placeholder (REPLACE_ME)")
    need(not docs or not docs[0].get("data"), "no base64 data in the template")


def check_compose(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        c = yaml.safe_load(f)
    s = c.get("services", {})
    need(set(s) == {"postgres", "migrate", "stdfund"}, f"compose services {sorted(s)}")
    pg, mig, app = s.get("postgres", {}), s.get("migrate", {}), s.get("stdfund", {})
    need(str(pg.get("image", "")).rstrip("}").endswith("postgres:15"), "postgres:15")
    need("healthcheck" in pg, "postgres healthcheck")
    need(any(":/var/lib/postgresql/data" in v for v in pg.get("volumes", [])), "postgres volume")
    need(mig.get("command") == ["migrate"], "migrate runs `stdfund migrate`")
    need(mig.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy",
         "migrate waits for a healthy postgres")
    need(app.get("command") == ["serve"], "stdfund runs `stdfund serve`")
    need(app.get("depends_on", {}).get("migrate", {}).get("condition")
         == "service_completed_successfully", "stdfund starts after a successful migration")
    need(app.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy",
         "stdfund waits for a healthy postgres")
    for n, svc in (("migrate", mig), ("stdfund", app)):
        need(svc.get("read_only") is True, f"{n}: read_only root filesystem")
        need(svc.get("cap_drop") == ["ALL"], f"{n}: cap_drop ALL")
        need(str(svc.get("user", "")).split(":")[0] not in ("", "0", "root"), f"{n}: non-root user")
    env = app.get("environment", {})
    need(env.get("STDFUND_TOKENS_FILE", "").startswith("/run/secrets/"), "tokens from a secret file")
    need("STDFUND_DATABASE_URL" in env, "database URL set")
    need(str(env.get("STDFUND_CREATE_DATABASE", "")).lower() == "false",
         "stdfund: STDFUND_CREATE_DATABASE must be \"false\"")
    grace = re.fullmatch(r"(\d+)s", str(app.get("stop_grace_period", "")))
    need(grace and int(grace.group(1)) > 20, "stop_grace_period longer than the 20 s drain")


def check_dockerfile(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    froms = [ln for ln in lines if ln.upper().startswith("FROM ")]
    need(len(froms) >= 2, "multi-stage build")
    need(froms and ("distroless/static" in froms[-1] or "scratch" in froms[-1]),
         "minimal runtime stage (distroless/static or scratch)")
    need(not any(":latest" in f for f in froms), "no :latest base image")
    users = [ln.split()[1] for ln in lines if ln.upper().startswith("USER ")]
    need(users and re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]), "final USER is a numeric non-root uid")
    need(any(ln.upper().startswith("EXPOSE ") and "50051" in ln and "9090" in ln for ln in lines),
         "EXPOSE 50051 9090")
    need("x86_64-unknown-linux-musl" in text and "-p stdfund-server" in text, "static musl build")
    need("musl-tools" in text, "musl-tools in the builder")
    need(re.search(r'CMD \["serve"\]', text), 'CMD ["serve"]')
    need("HEALTHCHECK" in text, "HEALTHCHECK present")
    health = text[text.find("HEALTHCHECK"):]
    health = health[:health.find("]")]
    need('"healthcheck"' in health and f'"--service", "{REGISTRY_SERVICE}"' in health,
         f"HEALTHCHECK runs `stdfund healthcheck --service {REGISTRY_SERVICE}`")
    # Every workspace member (and Cargo.toml/Cargo.lock) must be COPYed into
    # the builder, or `cargo build` cannot load the workspace.
    copied = []
    for ln in lines:
        if ln.upper().startswith("COPY ") and "--from=" not in ln:
            copied += [a.rstrip("/") for a in ln.split()[1:-1] if not a.startswith("--")]
    need({"Cargo.toml", "Cargo.lock"} <= set(copied), "COPY Cargo.toml Cargo.lock")
    root = pathlib.Path(path).resolve().parent.parent
    with open(root / "Cargo.toml", "rb") as f:
        members = tomllib.load(f).get("workspace", {}).get("members", [])
    for m in members:
        need(any(m == c or m.startswith(c + "/") for c in copied),
             f"workspace member {m} is not COPYed into the builder stage")


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "overlay" and argv[1] in EXPECTED:
        check_overlay(argv[1], argv[2])
    elif len(argv) == 2 and argv[0] == "secret-template":
        check_secret_template(argv[1])
    elif len(argv) == 2 and argv[0] == "compose":
        check_compose(argv[1])
    elif len(argv) == 2 and argv[0] == "dockerfile":
        check_dockerfile(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for f in failures:
        print(f"policy: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
