#!/usr/bin/env bash
# Lints the Dockerfile, validates compose and every rendered Kubernetes overlay
# (with negative self-tests so the checks cannot pass everything).
set -euo pipefail
bash deploy/check.sh
