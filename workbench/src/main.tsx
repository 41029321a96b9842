// The page served by `stdfund serve` at /workbench/: grpc-web to its own origin.
import { sameOriginGrpcWeb } from "./api.js";
import { startApp } from "./app.js";

const root = document.getElementById("app");
if (root !== null) startApp(root, { transport: sameOriginGrpcWeb });
