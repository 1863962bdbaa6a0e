#!/usr/bin/env bash
# Debian packages Haul needs, installed only when missing (so a warm machine skips apt).
#   demo: SpatiaLite for the embedded database, a CJK font for Chinese PDF statements.
#   test: also PostgreSQL 15 + PostGIS 3, Mosquitto, Redis, RabbitMQ (the production broker: the
#         broker, ingest and deploy tests and the benches start private nodes of it), Chromium for
#         browser tests, Mesa for Kivy's offscreen rendering, a CJK font for the Chinese UI, and
#         poppler-utils (pdftoppm) so the settlement browser test can picture the Chinese PDF statement.
set -euo pipefail
demo=(libsqlite3-mod-spatialite fonts-wqy-zenhei)
test=("${demo[@]}" postgresql-15 postgresql-15-postgis-3 mosquitto redis-server rabbitmq-server chromium
      libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri fonts-noto-cjk poppler-utils)
case "${1:-test}" in
  demo) wanted=("${demo[@]}") ;;
  *) wanted=("${test[@]}") ;;
esac
# Node and npm fetch the front-end libraries; any recent npm will do, Debian's if none is there.
command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
