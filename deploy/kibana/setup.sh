#!/usr/bin/env bash
# One-shot, as `elastic` (the compose `kibana-setup` service), once Kibana answers: the
# read-only Kibana role analysts hold (econsec_kibana_viewer.json), then the data view and
# dashboard (the mappings/kibana/*.ndjson files, mounted at /kibana). Safe to rerun.
set -euo pipefail
kibana=${KIBANA_URL:-http://kibana:5601}
objects=${KIBANA_OBJECTS:-/kibana}
auth="elastic:${ELASTIC_PASSWORD}"
here=$(cd "$(dirname "$0")" && pwd)

echo "waiting for Kibana"
until curl -s -f -u "$auth" "$kibana/api/status" > /dev/null; do sleep 5; done
echo "role econsec_kibana_viewer"
curl -s -S -f -u "$auth" -H "kbn-xsrf: true" -H "Content-Type: application/json" \
  -X PUT "$kibana/api/security/role/econsec_kibana_viewer" -d "@$here/econsec_kibana_viewer.json"
echo
for file in "$objects"/*.ndjson; do
  echo "importing $file"
  curl -s -S -f -u "$auth" -H "kbn-xsrf: true" \
    -X POST "$kibana/api/saved_objects/_import?overwrite=true" --form file=@"$file"
  echo
done
