#!/usr/bin/env bash
# Smoke test of a built program: --version, `extract` on a real video with the network
# off (`unshare -n`, needs root; skipped with a message otherwise), the app opening
# offscreen on that video for a few seconds without an error.
#
#   packaging/smoke.sh [dist/liveaction/liveaction]     VIDEO=... to use another video
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-dist/liveaction/liveaction}
VIDEO=${VIDEO:-../shared/data/videos/ta_chi.mp4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== $BIN --version"
"$BIN" --version

if [[ ! -f "$VIDEO" ]]; then
    echo "smoke: no video at $VIDEO (set VIDEO=...): extract and app not tried"
    exit 0
fi
if unshare -n true 2>/dev/null; then
    offline=(unshare -n)
    echo "== extract with the network off (unshare -n)"
else
    offline=()
    echo "== extract (network left on: unshare -n needs root)"
fi
start=$(date +%s)
"${offline[@]}" "$BIN" extract "$VIDEO" -o "$work/skeleton.json"
echo "extract took $(( $(date +%s) - start )) s"
grep -q '"pose"' "$work/skeleton.json" || { echo "smoke: extract found nobody in $VIDEO"; exit 1; }

echo "== app, offscreen, on the video for 20 s"
rc=0
"${offline[@]}" env QT_QPA_PLATFORM=offscreen HOME="$work" timeout 20 "$BIN" app --video "$VIDEO" \
    > "$work/app.log" 2>&1 || rc=$?
cat "$work/app.log"
if [[ $rc -ne 124 && $rc -ne 0 ]] || grep -q Traceback "$work/app.log"; then
    echo "smoke: the app failed (exit $rc)"
    exit 1
fi
echo "smoke: ok"
