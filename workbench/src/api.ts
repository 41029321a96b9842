// The clients of the two services the page calls, over a transport chosen by
// the entry point: grpc-web to the page's own origin in the binary
// (main.tsx), an in-memory router in the tests (test/harness).
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { RegistryService } from "../gen/stdfund/v1/registry_service_pb.js";
import { EstimateService } from "../gen/stdfund/v1/estimate_service_pb.js";

export interface Api {
  registry: Client<typeof RegistryService>;
  estimate: Client<typeof EstimateService>;
}

/** Makes a transport whose calls carry the token `token()` answers at call time. */
export type TransportFactory = (token: () => string) => Transport;

/** How long one call may take before the page says the server is too slow. */
export const CALL_TIMEOUT_MS = 30_000;

/** Adds `authorization: Bearer <token>` to every call that has a token. */
export function bearer(token: () => string): Interceptor {
  return (next) => async (req) => {
    const value = token();
    if (value !== "") req.header.set("authorization", `Bearer ${value}`);
    return next(req);
  };
}

/** grpc-web (binary) to the origin that served the page: nothing else is contacted. */
export const sameOriginGrpcWeb: TransportFactory = (token) =>
  createGrpcWebTransport({
    baseUrl: globalThis.location.origin,
    useBinaryFormat: true,
    interceptors: [bearer(token)],
    defaultTimeoutMs: CALL_TIMEOUT_MS,
  });

export function makeApi(transport: Transport): Api {
  return {
    registry: createClient(RegistryService, transport),
    estimate: createClient(EstimateService, transport),
  };
}
