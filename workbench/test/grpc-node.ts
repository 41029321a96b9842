// What the end-to-end test needs from the generated client, bundled for Node
// by test/unit/build.mjs into .build/grpc-node.mjs: the stdfund.v1 services
// over gRPC (HTTP/2, connect-node), their enums, and error decoding.
export { createClient, ConnectError, Code } from "@connectrpc/connect";
export { createGrpcTransport } from "@connectrpc/connect-node";
export { RegistryService, ClaimSort, ClaimView } from "../gen/stdfund/v1/registry_service_pb.js";
export { EstimateService } from "../gen/stdfund/v1/estimate_service_pb.js";
export { AccessRole, AuditAction, ClaimStatus, NoticeFormat, ObjectionOutcome, PublicationStatus, ReviewDecision } from "../gen/stdfund/v1/registry_pb.js";
export { Role } from "../gen/stdfund/v1/estimate_pb.js";
export { problemOf } from "../src/errors.js";
export { sumYuan, toFen, fenToYuan, formatYuan, compareYuan } from "../src/money.js";
