"""EstimateService and health, from Python (run by run_grpc_client.py).

The requests are parsed from the shared vectors by Python's own proto3 JSON
parser and the answers printed by Python's own proto3 JSON printer, so these
tests also prove that the JSON mapping of the contract is the rules engine's
JSON boundary.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc


def vectors(root: Path):
    for path in sorted((root / "tests" / "vectors").glob("*/*.json")):
        yield f"{path.parent.name}/{path.stem}", json.loads(path.read_text(encoding="utf-8"))


def estimate_stub(ctx):
    return ctx.module("estimate_service_pb2_grpc").EstimateServiceStub(ctx.channel)


def error_report(err: grpc.RpcError) -> dict:
    """Rebuilds the engine's ErrorReport from the rich status details."""
    raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert raw, f"no grpc-status-details-bin in {err}"
    status = status_pb2.Status.FromString(raw)
    assert status.code == err.code().value[0]
    info, localized, bad = None, {}, None
    for any_ in status.details:
        if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            any_.Unpack(info)
        elif any_.Is(error_details_pb2.LocalizedMessage.DESCRIPTOR):
            m = error_details_pb2.LocalizedMessage()
            any_.Unpack(m)
            localized[m.locale] = m.message
        elif any_.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            any_.Unpack(bad)
    assert info is not None and info.domain == "stdfund.v1", status
    field = info.metadata.get("field", "")
    if field:
        assert bad is not None and bad.field_violations[0].field == field, status
    assert localized.get("en-US") == err.details(), (localized, err.details())
    return {
        "code": info.reason,
        "field": field,
        "messageZh": localized.get("zh-CN", ""),
        "messageEn": localized.get("en-US", ""),
    }


def test_health_reports_serving(ctx):
    stub = health_pb2_grpc.HealthStub(ctx.channel)
    for service in ["", "stdfund.v1.EstimateService"]:
        r = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert r.status == health_pb2.HealthCheckResponse.SERVING, (service, r)
    try:
        stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
        raise AssertionError("an unknown service must be NOT_FOUND")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.NOT_FOUND, e


def test_every_vector_answers_as_expected(ctx):
    pb = ctx.module("estimate_pb2")
    stub = estimate_stub(ctx)
    ok = errors = refused = 0
    for name, case in vectors(ctx.root):
        expected = case["expected"]
        try:
            request = json_format.Parse(json.dumps(case["input"], ensure_ascii=False), pb.EstimateRequest())
        except json_format.ParseError:
            # Python's proto3 JSON parser refuses what the contract cannot
            # carry (unknown fields, undefined enum names, numbers for money).
            assert "error" in expected, f"{name}: Python refused a valid input"
            refused += 1
            continue
        try:
            answer = stub.Estimate(request, timeout=10)
        except grpc.RpcError as e:
            assert "error" in expected, f"{name}: unexpected {e.code()} {e.details()}"
            assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, (name, e.code())
            assert error_report(e) == expected["error"], (name, error_report(e), expected["error"])
            errors += 1
            continue
        assert "error" not in expected, f"{name}: expected {expected['error']['code']}, got an assessment"
        got = json_format.MessageToDict(answer, always_print_fields_with_no_presence=True)
        if not case.get("pinReceipt"):
            # As the Rust runner compares: the engine version and the
            # ruleset hashes are pinned by the one receipt vector only.
            got["receipt"]["engineVersion"] = "(engine version)"
            for r in got["receipt"]["rulesets"]:
                r["hash"] = "(ruleset hash)"
        # The hand-written figures first, for a readable failure ...
        check = case["check"]
        if check.get("total") is not None:
            assert got["total"] == check["total"], (name, got["total"], check["total"])
        for want, line in zip(check.get("lines", []), got["lines"], strict=True):
            assert (line["achievementId"], line["reasonCode"], line["payable"]) == (want["id"], want["reason"], want["payable"]), (name, line)
        # ... then the whole answer, field for field.
        assert got == expected, f"{name}: the proto3 JSON of the answer differs from the vector"
        ok += 1
    assert ok >= 40 and errors >= 8, (ok, errors, refused)
    print(f"     vectors: {ok} assessments, {errors} errors over the wire, {refused} refused by the Python parser")


def test_batch_keeps_order_and_reports_errors_inline(ctx):
    pb = ctx.module("estimate_pb2")
    svc = ctx.module("estimate_service_pb2")
    stub = estimate_stub(ctx)
    good = json_format.Parse(
        json.dumps(
            {
                "applicant": {"creditCode": "91350100M000100Y43", "seat": "350102"},
                "achievements": [{"id": "a1", "item": "STANDARD_LEAD", "variant": "NATIONAL", "subject": "GB/T 12345-2020", "date": "2020-05-01"}],
            }
        ),
        pb.EstimateRequest(),
    )
    requests = [
        svc.EstimateBatchRequest(request_id="r0", application=good),
        svc.EstimateBatchRequest(request_id="r1"),
        svc.EstimateBatchRequest(request_id="r2", application=good),
    ]
    results = list(stub.EstimateBatch(iter(requests), timeout=10))
    assert [(r.index, r.request_id) for r in results] == [(0, "r0"), (1, "r1"), (2, "r2")], results
    assert results[0].WhichOneof("result") == "assessment" and results[0].assessment.total == "300000.00"
    assert results[1].WhichOneof("result") == "error"
    assert (results[1].error.code, results[1].error.field) == ("MISSING_FIELD", "applicant.creditCode")
    assert results[2].assessment == results[0].assessment


def test_catalog_is_the_ruleset_document_and_engine_info_matches(ctx):
    svc = ctx.module("estimate_service_pb2")
    stub = estimate_stub(ctx)
    answer = stub.GetCatalog(svc.GetCatalogRequest(), timeout=10)
    catalog = json_format.MessageToDict(answer, always_print_fields_with_no_presence=True)
    cli = json.loads(subprocess.run([str(ctx.binary), "rules", "--format", "json"], check=True, capture_output=True).stdout)
    # The command line prints GetCatalog's proto3 JSON exactly (defaults
    # and empty lists left out, no nulls): equal without normalising.
    assert json_format.MessageToDict(answer) == cli, "the catalogue differs from `stdfund rules --format json`"
    # The document round-trips into a what-if estimate (catalog.proto): its
    # proto3 JSON as protobuf's own printer writes it (defaults left out)
    # is the same ruleset — same hash — and gives the same answer.
    assert answer.rulesets[0].document.items[0].subject_kind == "STANDARD_NUMBER"
    document = json_format.MessageToJson(answer.rulesets[0].document)
    assert '"levelCheck": false' not in document
    pb = ctx.module("estimate_pb2")
    application = json_format.Parse((ctx.root / "examples" / "application.json").read_text(encoding="utf-8"), pb.EstimateRequest())
    normal = stub.Estimate(application, timeout=10)
    what_if_request = pb.EstimateRequest()
    what_if_request.CopyFrom(application)
    what_if_request.what_if_ruleset = document
    what_if = stub.Estimate(what_if_request, timeout=10)
    assert what_if.what_if and not normal.what_if
    assert what_if.receipt.rulesets[0].hash == answer.rulesets[0].hash
    assert (list(what_if.lines), what_if.total, what_if.split) == (list(normal.lines), normal.total, normal.split)
    info = json_format.MessageToDict(stub.GetEngineInfo(svc.GetEngineInfoRequest(), timeout=10), always_print_fields_with_no_presence=True)
    assert info["engineVersion"] == catalog["engineVersion"]
    assert [r["hash"] for r in info["rulesets"]] == [r["hash"] for r in catalog["rulesets"]]


def test_metrics_count_the_calls(ctx):
    with urllib.request.urlopen(f"http://{ctx.metrics_addr}/metrics", timeout=5) as r:
        text = r.read().decode()
    assert 'stdfund_grpc_requests_total{method="/stdfund.v1.EstimateService/Estimate",code="OK"}' in text, text[:2000]
    assert 'stdfund_grpc_requests_total{method="/stdfund.v1.EstimateService/Estimate",code="INVALID_ARGUMENT"}' in text
