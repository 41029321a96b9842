#!/usr/bin/env python3
"""Calls one unary stdfund.v1 RPC from the command line, with proto3 JSON in
and out — a grpcurl substitute built from proto/ by grpcio-tools.

    .venv/bin/python tests/python/grpc_call.py stdfund.v1.EstimateService/Estimate < application.json
    .venv/bin/python tests/python/grpc_call.py --addr 127.0.0.1:50051 stdfund.v1.EstimateService/GetEngineInfo
    .venv/bin/python tests/python/grpc_call.py --token "$TOKEN" stdfund.v1.RegistryService/GetClaim <<< '{"claimId": "1"}'

The request is read from standard input (empty input = an empty message).
On an error the status, its code and the stdfund.v1 error details are
printed on standard error and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run_grpc_client import ROOT, generate, load_generated  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("method", help="e.g. stdfund.v1.EstimateService/Estimate")
    ap.add_argument("--addr", default="127.0.0.1:50051")
    ap.add_argument("--token", default="", help="a registry bearer token")
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()

    import grpc
    from google.protobuf import json_format, message_factory, symbol_database

    service_name, _, method_name = args.method.partition("/")
    with tempfile.TemporaryDirectory(prefix="stdfund-call-") as tmp:
        generate(ROOT / "proto", Path(tmp))
        load_generated(Path(tmp))
        pool = symbol_database.Default().pool
        try:
            method = pool.FindServiceByName(service_name).FindMethodByName(method_name)
        except KeyError:
            print(f"no method {args.method} in proto/", file=sys.stderr)
            return 2
        if method is None or method.client_streaming or method.server_streaming:
            print(f"{args.method} is not a unary method of proto/", file=sys.stderr)
            return 2
        request_cls = message_factory.GetMessageClass(method.input_type)
        response_cls = message_factory.GetMessageClass(method.output_type)
        text = sys.stdin.read() if not sys.stdin.isatty() else ""
        request = json_format.Parse(text or "{}", request_cls())
        metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
        with grpc.insecure_channel(args.addr) as channel:
            call = channel.unary_unary(
                f"/{args.method}",
                request_serializer=request_cls.SerializeToString,
                response_deserializer=response_cls.FromString,
            )
            try:
                answer = call(request, timeout=args.timeout, metadata=metadata)
            except grpc.RpcError as e:
                print(f"{e.code().name}: {e.details()}", file=sys.stderr)
                raw = dict(e.trailing_metadata() or ()).get("grpc-status-details-bin")
                if raw:
                    from google.rpc import status_pb2

                    # error_details_pb2 registers the detail types for printing.
                    from google.rpc import error_details_pb2  # noqa: F401

                    status = status_pb2.Status.FromString(raw)
                    print(json_format.MessageToJson(status, ensure_ascii=False), file=sys.stderr)
                return 1
        print(json.dumps(json_format.MessageToDict(answer, always_print_fields_with_no_presence=True), ensure_ascii=False, indent=2))
        return 0


if __name__ == "__main__":
    sys.exit(main())
