"""RegistryService from Python (run by run_grpc_client.py, on SQLite and, with
--postgres, on PostgreSQL): bearer tokens and roles, SubmitClaim
(idempotency, the one-time key, credit-code confirmation), ReviewClaim
(approval against a budget, a discretionary amount, rejection),
RecordDisbursement, and the public notice read back with Python's own CSV and
ZIP/XML readers.

Every run uses fresh credit codes and a random budget year, so it also works
against a database that earlier runs have written to.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import random
import xml.etree.ElementTree as ET
import zipfile

import grpc
from google.rpc import error_details_pb2, status_pb2

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
RUN = random.randrange(10**7, 10**8)
YEAR = random.randrange(3000, 9999)


def china_today() -> str:
    """Today in China (UTC+8): a payment is recorded on or before it and not
    before the approval, which these tests make now."""
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()


def credit_code(n: int) -> str:
    """A unified social credit code with a valid GB 32100-2015 check character."""
    base = f"91350100M{(RUN + n) % 10**8:08d}"
    total = sum(ALPHABET.index(c) * w for c, w in zip(base, WEIGHTS, strict=True))
    return base + ALPHABET[(31 - total % 31) % 31]


def stub(ctx):
    return ctx.module("registry_service_pb2_grpc").RegistryServiceStub(ctx.channel)


def auth(ctx, role: str):
    return [("authorization", f"Bearer {ctx.tokens[role]}")]


def error_info(err: grpc.RpcError) -> tuple[str, dict]:
    raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert raw, f"no rich details in {err}"
    status = status_pb2.Status.FromString(raw)
    for any_ in status.details:
        if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            any_.Unpack(info)
            assert info.domain == "stdfund.v1"
            assert info.metadata["messageZh"] and info.metadata["messageEn"]
            return info.reason, dict(info.metadata)
    raise AssertionError(f"no ErrorInfo in {status}")


def expect_error(call, code: grpc.StatusCode, reason: str) -> dict:
    try:
        call()
    except grpc.RpcError as e:
        assert e.code() == code, (e.code(), e.details())
        got, metadata = error_info(e)
        assert got == reason, (got, metadata)
        return metadata
    raise AssertionError(f"expected {code} {reason}, the call succeeded")


def application(ctx, code: str, item: str, variant: str, subject: str, date: str = "2020-05-01"):
    pb = ctx.module("estimate_pb2")
    return pb.EstimateRequest(
        applicant=pb.Applicant(credit_code=code, name=f"福州Python测试单位{code[9:17]}", seat="350103"),
        achievements=[pb.Achievement(id="a1", item=item, variant=variant, subject=subject, date=date)],
    )


def submit(ctx, key: str, app, role: str = "portal", confirm: bool = False):
    svc = ctx.module("registry_service_pb2")
    return stub(ctx).SubmitClaim(
        svc.SubmitClaimRequest(idempotency_key=key, application=app, confirm_credit_code=confirm, year=YEAR),
        metadata=auth(ctx, role),
        timeout=10,
    )


def review(ctx, claim_id: int, approve: bool, reason: str = "", amount: str = ""):
    svc = ctx.module("registry_service_pb2")
    reg = ctx.module("registry_pb2")
    decision = reg.REVIEW_DECISION_APPROVE if approve else reg.REVIEW_DECISION_REJECT
    return stub(ctx).ReviewClaim(
        svc.ReviewClaimRequest(claim_id=claim_id, decision=decision, reason=reason, reviewer_amount=amount),
        metadata=auth(ctx, "reviewer"),
        timeout=10,
    )


def set_budget(ctx, total: str):
    svc = ctx.module("registry_service_pb2")
    return stub(ctx).SetBudget(svc.SetBudgetRequest(year=YEAR, total=total), metadata=auth(ctx, "finance"), timeout=10).budget


def test_registry_needs_a_token_and_the_right_role(ctx):
    svc = ctx.module("registry_service_pb2")
    s = stub(ctx)
    expect_error(lambda: s.ListClaims(svc.ListClaimsRequest(), timeout=10), grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")
    expect_error(
        lambda: s.ListClaims(svc.ListClaimsRequest(), metadata=[("authorization", "Bearer wrong")], timeout=10),
        grpc.StatusCode.UNAUTHENTICATED,
        "UNAUTHENTICATED",
    )
    md = expect_error(
        lambda: s.ReviewClaim(svc.ReviewClaimRequest(claim_id=1), metadata=auth(ctx, "portal"), timeout=10),
        grpc.StatusCode.PERMISSION_DENIED,
        "PERMISSION_DENIED",
    )
    assert md["role"] == "portal" and md["allowedRoles"] == "reviewer, admin", md


def test_submit_claim_is_idempotent_and_one_time(ctx):
    reg = ctx.module("registry_pb2")
    code = credit_code(1)
    app = application(ctx, code, "STANDARD_LEAD", "NATIONAL", f"GB/T {RUN}-2020")
    first = submit(ctx, f"py-{RUN}-1", app)
    assert first.created and first.claim.status == reg.CLAIM_STATUS_SUBMITTED
    assert first.claim.estimated_amount == "300000.00"
    assert first.claim.one_time_key == f"{code}|STANDARD_LEAD|GB/T {RUN}-2020"
    assert first.claim.submitted_by == "py-portal"
    again = submit(ctx, f"py-{RUN}-1", app)
    assert not again.created and again.claim.claim_id == first.claim.claim_id
    # Another idempotency key, the same achievement (even at another level).
    other = application(ctx, code, "STANDARD_LEAD", "INDUSTRY", f"gb/t {RUN}—2020")
    md = expect_error(lambda: submit(ctx, f"py-{RUN}-2", other), grpc.StatusCode.ALREADY_EXISTS, "ALREADY_GRANTED")
    assert md["existingClaimId"] == str(first.claim.claim_id), md
    # A line that cannot be paid is refused with its reason code.
    local_part = application(ctx, credit_code(2), "STANDARD_PARTICIPANT", "LOCAL", f"DB35/T {RUN}-2020")
    md = expect_error(lambda: submit(ctx, f"py-{RUN}-3", local_part), grpc.StatusCode.FAILED_PRECONDITION, "NOT_COVERED")
    assert md["reasonCode"] == "NOT_COVERED"


def test_credit_code_mismatch_needs_a_recorded_confirmation(ctx):
    good = credit_code(3)
    bad = good[:17] + ("1" if good[17] == "0" else "0")
    app = application(ctx, bad, "STANDARD_LEAD", "LOCAL", f"DB35/T {RUN}-2021")
    md = expect_error(lambda: submit(ctx, f"py-{RUN}-cc", app), grpc.StatusCode.FAILED_PRECONDITION, "CREDIT_CODE_CHECK_MISMATCH")
    assert md["expected"] == good[17], md
    r = submit(ctx, f"py-{RUN}-cc", app, confirm=True)
    assert r.created and r.claim.credit_code_confirmed and not r.claim.credit_code_check_passed


def test_review_claim_approves_against_the_budget_and_rejects_with_a_reason(ctx):
    reg = ctx.module("registry_pb2")
    b = set_budget(ctx, "350000.00")
    assert (b.year, b.total, b.left) == (YEAR, "350000.00", "350000.00"), b
    lead = submit(ctx, f"py-{RUN}-r1", application(ctx, credit_code(10), "STANDARD_LEAD", "NATIONAL", f"GB/T {RUN}-2019", "2019-01-02")).claim
    c = review(ctx, lead.claim_id, approve=True).claim
    assert c.status == reg.CLAIM_STATUS_APPROVED
    assert c.review.approved_amount == "300000.00" and c.review.reviewed_by == "py-reviewer"
    assert c.review.approval_assessment.receipt.rulesets[0].id == "fz-2016"
    assert (c.review.approved_split.municipal_share, c.review.approved_split.district_share) == ("150000.00", "150000.00")
    # Over the budget: the figures are in the details.
    big = submit(ctx, f"py-{RUN}-r2", application(ctx, credit_code(11), "STANDARD_LEAD", "INDUSTRY", f"JB/T {RUN}-2020")).claim
    md = expect_error(lambda: review(ctx, big.claim_id, approve=True), grpc.StatusCode.FAILED_PRECONDITION, "BUDGET_EXCEEDED")
    assert (md["total"], md["used"], md["left"], md["requested"]) == ("350000.00", "300000.00", "50000.00", "200000.00"), md
    expect_error(lambda: review(ctx, big.claim_id, approve=False), grpc.StatusCode.INVALID_ARGUMENT, "MISSING_FIELD")
    r = review(ctx, big.claim_id, approve=False, reason="超出年度预算").claim
    assert r.status == reg.CLAIM_STATUS_REJECTED and r.review.reason == "超出年度预算"
    # Discretionary: the reviewer sets amount and reason.
    wto = submit(ctx, f"py-{RUN}-r3", application(ctx, credit_code(12), "OTHER_ACTIVITY", "INFORMATION_PLATFORM", f"平台-{RUN}")).claim
    assert wto.estimated_amount == "0.00"
    md = expect_error(lambda: review(ctx, wto.claim_id, approve=True, reason="x"), grpc.StatusCode.INVALID_ARGUMENT, "MISSING_FIELD")
    assert md["field"] == "reviewer_amount"
    d = review(ctx, wto.claim_id, approve=True, reason="评审会核定", amount="40000.00").claim
    assert d.review.amount_set_by_reviewer and d.review.approved_amount == "40000.00"
    # Pay the lead claim; then the notice lists both approved claims.
    svc = ctx.module("registry_service_pb2")
    paid = stub(ctx).RecordDisbursement(
        svc.RecordDisbursementRequest(claim_id=lead.claim_id, payment_date=china_today(), voucher_number=f"PY-{RUN}"),
        metadata=auth(ctx, "finance"),
        timeout=10,
    ).claim
    assert paid.status == reg.CLAIM_STATUS_DISBURSED
    assert paid.disbursement.share_table.provisional and paid.disbursement.share_table_id == paid.disbursement.share_table.id

    notice = stub(ctx).ExportPublicNotice(
        svc.ExportPublicNoticeRequest(year=YEAR, format=reg.NOTICE_FORMAT_CSV), metadata=auth(ctx, "finance"), timeout=10
    )
    assert notice.content[:3] == b"\xef\xbb\xbf", "UTF-8 BOM"
    rows = list(csv.reader(io.StringIO(notice.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["序号 No.", "申报编号 Claim", "单位名称 Unit", "统一社会信用代码 Credit code", "所在地 Fiscal unit",
                       "资助项目 Item", "条款 Clause", "标的 Subject", "资助金额(元) Amount"]
    body = {int(r[1]): r for r in rows[1:] if r[1].isdigit()}
    assert body[lead.claim_id][3] == credit_code(10) and body[lead.claim_id][4] == "台江区"
    assert body[lead.claim_id][8] == "300000.00" and body[wto.claim_id][8] == "40000.00"
    assert len(body) == 2, rows
    # The last row totals the list.
    assert rows[-1][0].startswith("合计") and rows[-1][8] == "340000.00", rows[-1]

    xlsx = stub(ctx).ExportPublicNotice(
        svc.ExportPublicNoticeRequest(year=YEAR, format=reg.NOTICE_FORMAT_XLSX), metadata=auth(ctx, "finance"), timeout=10
    )
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as z:
        assert z.testzip() is None, "CRC of every part"
        assert "xl/workbook.xml" in z.namelist()
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        names = z.namelist()
        shared_xml = ET.fromstring(z.read("xl/sharedStrings.xml")) if "xl/sharedStrings.xml" in names else None
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in shared_xml.iterfind("m:si", ns)] if shared_xml is not None else []
    table = []
    for row in sheet.iterfind(".//m:sheetData/m:row", ns):
        cells = []
        for c in row.iterfind("m:c", ns):
            v = c.find("m:v", ns)
            if c.get("t") == "s":
                cells.append(shared[int(v.text)])
            elif c.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in c.iter(f"{{{ns['m']}}}t")))
            else:
                cells.append(v.text if v is not None else "")
        table.append(cells)
    # The workbook opens with a title; its table has the CSV's header and the
    # same claims, amounts as numbers.
    start = next(k for k, r in enumerate(table) if r and r[0] == rows[0][0])
    assert table[start] == rows[0], table[start]
    claims = {int(float(r[1])): r for r in table[start + 1 :] if len(r) > 8 and r[1].replace(".", "", 1).isdigit()}
    assert set(claims) == set(body), (claims, body)
    for cid, r in claims.items():
        assert decimal.Decimal(r[8]) == decimal.Decimal(body[cid][8]), (r, body[cid])
