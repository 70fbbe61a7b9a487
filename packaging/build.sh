#!/usr/bin/env bash
# Build the one-folder program dist/liveaction/ with PyInstaller, then smoke-test it.
#
#   packaging/build.sh            (make package: creates .venv and installs PyInstaller first)
#
# PY picks the Python whose site-packages are bundled (default .venv/bin/python).
# Takes several minutes and a few GB of disk under build/ while it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/liveaction.spec
echo "built dist/liveaction in $(( $(date +%s) - start )) s: $(du -sh dist/liveaction | cut -f1)," \
    "$(find dist/liveaction -type f | wc -l) files"
bash packaging/smoke.sh dist/liveaction/liveaction
