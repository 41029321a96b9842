// Saved files are named by what they are, not only by what an applicant typed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { safeFileName } from "../../src/download.js";

test("a name that promises another type gets the file's own extension", () => {
  assert.equal(safeFileName("审核须知.html", "application/pdf"), "审核须知.html.pdf");
  assert.equal(safeFileName("营业执照.pdf.html", "application/pdf"), "营业执照.pdf.html.pdf");
  assert.equal(safeFileName("run.hta", "application/pdf"), "run.hta.pdf");
  assert.equal(safeFileName("补充材料.svg", "image/png"), "补充材料.svg.png");
  assert.equal(safeFileName("营业执照", "application/pdf"), "营业执照.pdf");
  assert.equal(safeFileName(".pdf", "application/pdf"), ".pdf.pdf");
  assert.equal(safeFileName("", "image/jpeg"), "file.jpg");
});

test("a name that fits is kept as typed", () => {
  assert.equal(safeFileName("标准文本首页.png", "image/png"), "标准文本首页.png");
  assert.equal(safeFileName("扫描件.JPG", "image/jpeg"), "扫描件.JPG");
  assert.equal(safeFileName("scan.jpeg", "image/jpeg"), "scan.jpeg");
  assert.equal(safeFileName("公示.csv", "text/csv; charset=utf-8"), "公示.csv");
  assert.equal(safeFileName("报表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), "报表.xlsx");
  assert.equal(safeFileName("notes.txt", "application/x-unknown"), "notes.txt");
});
