#!/usr/bin/env bash
# Creates tools/peer/.venv with OpenFisca Core pinned by requirements.txt.
# Idempotent: a venv whose installed packages already match the pins is left
# alone (a stamp file holds the hash of requirements.txt).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
stamp="$venv/.requirements.sha256"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "tools/peer/.venv is up to date"
  exit 0
fi
if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" -c 'import openfisca_core, numpy; print("openfisca-core", __import__("importlib.metadata").metadata.version("openfisca-core"), "numpy", numpy.__version__)'
echo "$want" > "$stamp"
