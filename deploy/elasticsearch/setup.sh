#!/usr/bin/env bash
# One-shot, as `elastic` (the compose `setup` service): the kibana_system password, then
# econsec's least-privileged roles (roles/*.json, one per file, named after it) and users.
# Safe to rerun: roles and users are put, passwords reset to the .env values.
set -euo pipefail
es=${ELASTICSEARCH_URL:-http://elasticsearch:9200}
auth="elastic:${ELASTIC_PASSWORD}"
here=$(cd "$(dirname "$0")" && pwd)

send() {  # METHOD PATH BODY: a JSON request to Elasticsearch, failing on an error status
  curl -s -S -f -u "$auth" -H "Content-Type: application/json" -X "$1" "$es$2" -d "$3"
  echo
}

# USER PASSWORD_VARIABLE ROLE...: the password is read from the named variable
user() {
  local name=$1 variable=$2 roles
  shift 2
  roles=$(printf '"%s",' "$@")
  echo "user $name (roles: $*)"
  send PUT "/_security/user/$name" "{\"password\":\"${!variable:?$variable is not set}\",\"roles\":[${roles%,}]}"
}

echo "setting the kibana_system password"
until send POST /_security/user/kibana_system/_password "{\"password\":\"${KIBANA_PASSWORD}\"}"; do
  sleep 5
done
for role in "$here"/roles/*.json; do
  name=$(basename "$role" .json)
  echo "role $name"
  send PUT "/_security/role/$name" "@$role"
done
user econsec_setup ECONSEC_SETUP_PASSWORD econsec_setup
user econsec_writer ECONSEC_WRITER_PASSWORD econsec_writer
user econsec_web ECONSEC_WEB_PASSWORD econsec_pusher
user econsec_analyst ECONSEC_ANALYST_PASSWORD econsec_reader econsec_kibana_viewer
