#!/usr/bin/env python3
"""Seeds the fuzz corpora and dictionaries from the shared vectors.

    python3 fuzz/seed.py [RANDOM.jsonl]
    python3 fuzz/seed.py --large      only the requests over LARGE bytes

`--large` is what `tools/fuzz.sh --cmin` runs after it drops the corpus
inputs over LARGE bytes: it puts back the vectors' own large requests (the
what-if ones, which carry a whole ruleset), so that ruleset validation stays
reachable from the committed corpus while the corpus stays small.

Writes (file names are the sha1 of the content, as libFuzzer names them):
  fuzz/corpus/json_estimate/  every vector's request (compact and indented)
                              and, given RANDOM.jsonl from
                              `stdfund-vectors random N`, those requests;
  fuzz/corpus/canon_subject/  every subject of the vectors, the examples of
                              RULES.md §5 and the attacks on them (invisible
                              characters, full width, case, dashes, trailing
                              punctuation, look-alike letters, leading zeros);
  fuzz/dict/json_estimate.dict  the request's field names and enum values;
  fuzz/dict/canon_subject.dict  scheme codes and the characters the rule maps.
The committed corpus is this seed after fuzzing and `cargo fuzz cmin`
(docs/FUZZING.md); rerunning the script only adds files.
"""
import glob
import hashlib
import json
import os
import re
import sys

LARGE = 8192
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")


def write(target, data):
    d = os.path.join(FUZZ, "corpus", target)
    os.makedirs(d, exist_ok=True)
    b = data.encode("utf-8") if isinstance(data, str) else data
    with open(os.path.join(d, hashlib.sha1(b).hexdigest()), "wb") as f:
        f.write(b)


def dict_entry(token):
    """A libFuzzer dictionary line: the UTF-8 bytes, `\\xNN` for the rest."""
    out = []
    for b in token.encode("utf-8"):
        c = chr(b)
        out.append(c if 0x20 <= b < 0x7F and c not in '"\\' else "\\x%02X" % b)
    return '"' + "".join(out) + '"'


def keys_and_strings(v, keys, strings):
    if isinstance(v, dict):
        for k, x in v.items():
            keys.add(k)
            keys_and_strings(x, keys, strings)
    elif isinstance(v, list):
        for x in v:
            keys_and_strings(x, keys, strings)
    elif isinstance(v, str):
        strings.add(v)


SUBJECTS = [
    # RULES.md §5 and the scheme table.
    "gb/t\u300012345\u20142020", "GB/T 12345-2020", "GB/T12345-2020", "GB / T 1.1 - 2020",
    "GB/T 054321-2020", "GB/T 1.1-2020", "GB/T 1-2020", "GB 1234-88", "GBT 12345-2020",
    "GB/Z 1-2020", "DB35/T 1234-2020", "DB3501/T1234\u20132020", "DB35 1234-2020",
    "DB350100/Z 1-2020", "DB351234-2020", "T/CAS 123-2020", "T/ABC1 12-2020", "Q/FZ 001-2020",
    "JB/T 702-2020", "YY 0505-2012", "JGJ/T 1-2020", "ISO 9001:2015", "ISO 9001-2015",
    "ISO 9001\u20142015", "\uff29\uff33\uff2f\u3000\uff19\uff10\uff10\uff11\uff1a\uff12\uff10\uff11\uff15",
    "ISO/IEC 27001:2022", "ISO / IEC 27001:2013", "ISO/IEC TR 24028:2020", "ISO TR 10013:2021",
    "IEC 60335-2-24:2020", "IEC TS 62443-1-1:2009", "ISO 9001:2015/AMD 1:2020",
    "ITU-T Y.2060", "ITU-T Y.2060 (06/2012)", "ITU-T Rec. Y.2060 (2012)", "ITU-T G.8275.1",
    "ITU-R BT.709-6", "ITU-R BT.709-6 (06/2015)", "ITU 1-2020",
    "SAC/TC 28", "SAC/TC28", "\uff33\uff21\uff23\uff0f\uff34\uff23\uff12\uff18", "sac / tc 28",
    "SAC/TC 028", "SAC/TC 28/SC 3", "ISO/TC 45/SC 3", "ISO/TC 46/WG 2", "SAC/SWG 3", "FJ/TC 12",
    "ISO/IEC JTC1/SC27", "IEC/SC 65A", "\u5168\u56fd\u4fe1\u606f\u6280\u672f\u6807\u51c6\u5316\u6280\u672f\u59d4\u5458\u4f1a",
    "\u9879\u76ee(\u4e00)", "\u9879\u76ee\uff08\u4e00\uff09\u3002", "\u95fd\u6807\u8bd5\u30142020\u30152\u53f7",
    "\u6995\u6807\u8bd52019\u201405", "FZBZ-2020-007", "\u6c38\u6cf0\u674e\u5e72",
    # Blank and empty.
    "", "   ", "\u3000", "\u200b", "\u3002", "...",
]

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u202e", "\u2066",
             "\u200f", "\u180e", "\ufe0f", "\U000e0041"]


def variants(s):
    out = {s, s + "\u3002", s + ".", s.lower(), " " + s + " "}
    for i, z in enumerate(INVISIBLE):
        at = (i * 3) % (len(s) + 1)
        out.add(s[:at] + z + s[at:])
    out.add("".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s))
    out.add(s.replace("-", "\u2014").replace(":", "\uff1a"))
    out.add(s.replace("G", "\u0413", 1).replace("T", "\u03a4", 1))
    return out


def main():
    requests = []
    keys, strings = set(), set()
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", "**", "*.json"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            case = json.load(f)
        if "input" not in case:
            continue
        requests.append(case["input"])
        keys_and_strings(case["input"], keys, strings)
    vector_count = len(requests)
    if sys.argv[1:] == ["--large"]:
        for r in requests:
            text = json.dumps(r, ensure_ascii=False, separators=(",", ":"))
            if len(text.encode("utf-8")) > LARGE:
                write("json_estimate", text)
        return
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            for line in f:
                requests.append(json.loads(json.loads(line)["input"]))
    for i, r in enumerate(requests):
        write("json_estimate", json.dumps(r, ensure_ascii=False, separators=(",", ":")))
        if i < 120:
            write("json_estimate", json.dumps(r, ensure_ascii=(i % 2 == 0), indent=2))
    # Variants of the examples and of the vectors' subjects; the generated
    # requests' subjects as they are.
    subjects = set(SUBJECTS)
    for i, r in enumerate(requests):
        for a in r.get("achievements", []) if isinstance(r, dict) else []:
            if isinstance(a, dict) and isinstance(a.get("subject"), str):
                if i < vector_count:
                    subjects.add(a["subject"])
                else:
                    write("canon_subject", a["subject"])
    for s in sorted(subjects):
        for v in sorted(variants(s)):
            write("canon_subject", v)

    os.makedirs(os.path.join(FUZZ, "dict"), exist_ok=True)
    with open(os.path.join(FUZZ, "dict", "json_estimate.dict"), "w", encoding="utf-8") as f:
        f.write("# Field names and enum values of the estimate request (fuzz/seed.py).\n")
        tokens = {'"%s":' % k for k in keys}
        tokens |= {'"%s"' % s for s in strings if re.fullmatch(r"[A-Z][A-Z_]+", s)}
        tokens |= {"{", "}", "[", "]", ",", "null", "true", "false", '""', '"0.00"', "1e999", "-0"}
        for t in sorted(tokens):
            f.write(dict_entry(t) + "\n")
    with open(os.path.join(FUZZ, "dict", "canon_subject.dict"), "w", encoding="utf-8") as f:
        f.write("# Scheme codes and the characters the canonical rule maps (fuzz/seed.py).\n")
        tokens = {"GB/T ", "GB ", "GB/Z ", "DB35/T ", "DB3501/T ", "T/", "Q/", "ISO ", "IEC ",
                  "ISO/IEC ", " TR ", "ITU-T ", "ITU-R ", "REC. ", "SAC/TC ", "/SC ", "/WG ",
                  "-2020", ":2015", ".1", " (06/2012)", "\u3002", "\uff0f", "\u3000", "\u2014"}
        tokens |= set(INVISIBLE)
        for t in sorted(tokens):
            f.write(dict_entry(t) + "\n")


if __name__ == "__main__":
    main()
