#!/usr/bin/env bash
# The end-to-end backend workflow on embedded defaults (SQLite, 127.0.0.1): nothing for the user to start.
# Each tool adds its step here as it lands.
set -euo pipefail
out=demo-output
rm -rf "$out" && mkdir -p "$out"
cd "$out"
# Section headers go to stdout with the commands' results, so `make demo > demo.txt` keeps its structure
# (bold only on a terminal).
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

step "stanchion $(stanchion --version | cut -d' ' -f2): the effective configuration (embedded SQLite default)"
stanchion config

step "stanchion db: two migrations, applied to the embedded SQLite database, then status"
users=$(stanchion db create create_users | cut -d' ' -f2)
cat >"$users" <<'SQL'
-- migrate:up
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, note TEXT DEFAULT 'a; b');
-- migrate:down
DROP TABLE users;
SQL
posts=$(stanchion db create create_posts | cut -d' ' -f2)
cat >"$posts" <<'SQL'
-- migrate:up
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL);
CREATE INDEX posts_user_id ON posts (user_id);
-- migrate:down
DROP TABLE posts;
SQL
stanchion db migrate --dry-run
stanchion db migrate
stanchion db status

step "stanchion db analyze, diff and lint: check the schema, plan the change to schema.sql, lint it, apply it"
stanchion db analyze
cat >schema.sql <<'SQL'
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, note TEXT DEFAULT 'a; b', display_name TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL);
CREATE INDEX posts_user_id ON posts (user_id);
CREATE INDEX posts_title ON posts (title);
SQL
stanchion db diff --from sqlite:///stanchion.db --to schema.sql --output migrations
stanchion db lint migrations --dialect sqlite
stanchion db migrate
stanchion db diff --from sqlite:///stanchion.db --to schema.sql

step "stanchion decide: the backend profile for a TypeScript team of 8, with the assumptions on the table"
stanchion decide --team-size 8 --qps-p99 50 --read-write-ratio 20 --tenancy shared-multi-tenant \
  --data-sensitivity pii --pattern modular-monolith --language-preference typescript

step "stanchion scaffold routes: Express routes, zod validators and handler stubs from the OpenAPI petstore"
cp ../tests/data/openapi/oai-examples/petstore.yaml openapi.yaml
stanchion scaffold routes openapi.yaml --framework express --output petstore-routes/
stanchion scaffold routes openapi.yaml --framework express --output petstore-routes/ --check

step "stanchion scaffold: a FastAPI service on SQLite, installed from its lockfile, migrated, started on 127.0.0.1"
stanchion scaffold new notes-api --stack fastapi --db sqlite --no-auth --no-docker --no-ci
step "stanchion scaffold verify: the new project installed, linted, type-checked, tested, booted and fuzzed"
# Installs are kept by lockfile hash (the test suite's cache), so a second demo reuses them.
stanchion scaffold verify notes-api --cache-dir ../.cache/scaffold --max-examples 10
python -m venv notes-api/.venv
notes-api/.venv/bin/pip install --quiet --disable-pip-version-check -r notes-api/requirements-lock.txt
# Migrate its SQLite database: the project's own Alembic migration creates its tables, then a Stanchion
# migration adds the index the notes listing needs, linted first, applied, and checked.
(cd notes-api && .venv/bin/alembic upgrade head)
svc_db="sqlite:///notes-api/app.db"
index=$(stanchion db create add_notes_listing_index --dir notes-api/db/migrations | cut -d' ' -f2)
cat >"$index" <<'SQL'
-- migrate:up
CREATE INDEX notes_done_created_at_idx ON notes (done, created_at);
-- migrate:down
DROP INDEX notes_done_created_at_idx;
SQL
stanchion db lint notes-api/db/migrations --dialect sqlite
stanchion db migrate --database-url "$svc_db" --dir notes-api/db/migrations
stanchion db status --database-url "$svc_db" --dir notes-api/db/migrations
stanchion db analyze --database-url "$svc_db" --fail-on never
svc_port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd notes-api && exec .venv/bin/uvicorn app.main:app --host 127.0.0.1 --port "$svc_port" >../notes-api.log 2>&1) &
svc=$!
trap 'kill "$svc" 2>/dev/null || true' EXIT
python -c "import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen('http://127.0.0.1:$svc_port/ready', timeout=1); sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit('demo: notes-api did not become ready on 127.0.0.1:$svc_port; see demo-output/notes-api.log')"
echo "notes-api is ready on http://127.0.0.1:$svc_port (docs: /docs, spec: /openapi.json)"
step "stanchion load: the running notes-api, gated on its error rate, written as an HTML report; its rate limiter"
stanchion load "http://127.0.0.1:$svc_port/health" -n 2000 -c 10 --workers 1 --timeout 5s \
  --threshold "error_rate<0.1%" --output load-report.html
# The API routes are rate limited (100/minute per client by default): prove the limiter answers 429.
stanchion load "http://127.0.0.1:$svc_port/notes" -r 50 -d 4s --workers 1 --timeout 5s --expect-rate-limit
echo "HTML report: demo-output/load-report.html"
kill "$svc" 2>/dev/null || true
wait "$svc" 2>/dev/null || true
trap - EXIT

step "stanchion skill install: the agent skill and the classic scripts, run from any python"
stanchion skill install --dest skill/senior-backend --agents-dest skill/agents
python skill/senior-backend/scripts/database_migration_tool.py status
python skill/senior-backend/scripts/api_scaffolder.py --help | sed -n 1,6p

step "done: everything the demo wrote is in $out/"
