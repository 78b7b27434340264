"""``--help`` of each classic script: every classic form it accepts and the ``stanchion`` command it runs."""

from __future__ import annotations

_FOOT = """
Every form runs through Stanchion: its exit codes (0 ok, 1 a check failed, 2 usage, 3 environment,
130 interrupted), its --json document and its one-line errors. --json, --debug and -q work on every form.
A form whose feature is not built yet exits 2 with one line naming the feature.
"""

HELP: dict[str, str] = {
    "api_scaffolder.py": """usage: api_scaffolder.py FOLDER|NAME [--type rest|graphql] [--stack STACK] [--auth [jwt|none]]
                         [--docker] [--ci] [--minimal] [--database postgres|sqlite]
       api_scaffolder.py SPEC.yaml --framework express|fastify|koa|fastapi [--output DIR] [--types-only]
       api_scaffolder.py --name NAME --endpoints "GET /users, POST /users, GET /users/:id" [--database postgres]
       api_scaffolder.py --from-db DB --output DIR
       api_scaffolder.py ROUTES_DIR --generate-spec [--output openapi.yaml]

New API projects and code from OpenAPI specs (stanchion scaffold).

Forms:
  api_scaffolder.py ./backend --type rest --auth jwt
      a REST project in ./backend named after the folder's last part (also ./services/user-service);
      the full production set: auth (JWT), Docker Compose with PostgreSQL and Redis, CI. The default stack
      is Stanchion's (express-typescript when it has none). Runs: stanchion scaffold new backend --dir ./backend ...
  api_scaffolder.py my-api --type rest --stack express-typescript --auth
      the same set for that stack, the same files on and off a terminal (nothing is asked)
  api_scaffolder.py NAME --type rest --stack fastapi      (also fastify-typescript, koa-typescript, nestjs)
  api_scaffolder.py graphql-api --type graphql --stack apollo-typescript
  api_scaffolder.py NAME ... --docker --ci | --minimal | --no-docker | --no-ci | --auth none
      with, or without, the optional parts (--minimal: app, health, config, errors and tests)
  api_scaffolder.py openapi.yaml --framework express --output src/routes/   (also fastify, koa, fastapi)
      routes, validators and types from the spec: stanchion scaffold routes openapi.yaml ...
  api_scaffolder.py openapi.yaml --framework express
      inside a project made by api_scaffolder.py: into the project's API folder; elsewhere give --output
  api_scaffolder.py spec.yaml --types-only --output src/types/
  api_scaffolder.py --name UserAPI --endpoints "GET /users, POST /users, GET /users/:id" --database postgres
      a project (./user-api) with those endpoints: the project, an openapi.json of the endpoints in it,
      and its routes generated into the project's API folder
  api_scaffolder.py --from-db DB --output src/routes/         an API over the database's tables
  api_scaffolder.py src/routes/ --generate-spec --output openapi.yaml   (without --output: to stdout)
"""
    + _FOOT,
    "database_migration_tool.py": """usage: database_migration_tool.py DIR --create NAME | --up [--verbose] | --down | --status
       database_migration_tool.py create NAME | migrate | rollback [--steps N] | status [--connection DB]
       database_migration_tool.py --connection DB --analyze | --compare NEW.sql [--output DIR]
                                  | --suggest-indexes [--output DIR] | --migrate FILE.sql [--dry-run]

Migrations, schema analysis, index advice and schema diff (stanchion db). DB is a database URL
(postgresql://..., mysql://..., sqlite:///app.db); without --connection: DATABASE_URL, then the config.

Forms:
  database_migration_tool.py ./migrations --create "add_users_table"
      a new migration file in ./migrations: stanchion db create add_users_table --dir ./migrations
  database_migration_tool.py ./migrations --up [--verbose]
      apply the pending migrations (--verbose: each statement and its time): stanchion db migrate --dir ...
  database_migration_tool.py ./migrations --down         roll back the last: stanchion db rollback --dir ...
  database_migration_tool.py create NAME | migrate | rollback [--steps N] | status
      the same as stanchion db create / migrate / rollback / status (rollback does not ask off a terminal)
  database_migration_tool.py --connection DB --analyze   the same as stanchion db analyze
  database_migration_tool.py --connection DB --compare schema/v2.sql --output migrations/
      a migration from the live database to that schema: stanchion db diff --from DB --to schema/v2.sql
      (also OLD.sql --compare NEW.sql)
  database_migration_tool.py --connection DB --suggest-indexes --output migrations/
      proven index advice (HypoPG costs on PostgreSQL), written as a migration
  database_migration_tool.py --connection DB --migrate FILE.sql [--dry-run]
      apply (or show) that one file: stanchion db apply FILE.sql
"""
    + _FOOT,
    "api_load_tester.py": """usage: api_load_tester.py URL [URL2] [--concurrent N | --concurrency N | --users N]
                          [--duration S | --requests N] [--method M] [--header "K: V"] [--body JSON]
                          [--format text|json|html] [--output FILE] [--compare [baseline.json]]
                          [--expect-status CODE] [--expect-rate-limit]

HTTP load tests and their reports (stanchion load; every stanchion load option works here too).

Forms:
  api_load_tester.py URL                                   a default run (10 s) and its report
  api_load_tester.py URL --concurrent 100 --duration 60    100 connections for 60 s (also --concurrency)
  api_load_tester.py URL --concurrent 50 > baseline.txt; grep 'Requests/sec' baseline.txt
      the text report has a Requests/sec: line, as wrk's does
  api_load_tester.py URL --users 10 --requests 100         10 connections, exactly 100 requests
  api_load_tester.py URL --users 100 --requests 1000 --output html --save report.html
      a self-contained HTML report (today's spelling: --output report.html)
  api_load_tester.py URL --method POST --header "Authorization: Bearer T" --body '{"a": 1}'
      a JSON body is sent as application/json unless a Content-Type header is given
  api_load_tester.py URL1 URL2 --compare | URL --compare baseline.json     the comparison table
  api_load_tester.py URL/login --concurrency 200 --duration 10 --expect-rate-limit
      passes when the server answers 429, fails (exit 1) when it never does
  api_load_tester.py URL --method POST --body '{"email": "not-an-email"}' --expect-status 400
      passes when every answer has that status
"""
    + _FOOT,
    "backend_decision_engine.py": """usage: backend_decision_engine.py --team-size N --qps-p99 N --read-write-ratio N --tenancy T
                                  --data-sensitivity S --pattern P --language-preference L
       backend_decision_engine.py --grill

The backend decision engine and its grill (stanchion decide).

Forms:
  backend_decision_engine.py --team-size 8 --qps-p99 50 --read-write-ratio 20 --tenancy shared-multi-tenant
                             --data-sensitivity pii --pattern modular-monolith --language-preference typescript
      the same as stanchion decide with those inputs (every input is required: nothing is guessed)
  backend_decision_engine.py --grill
      the forcing-question grill on a terminal (stanchion decide grill; --answers FILE without one)
"""
    + _FOOT,
    "performance_analyzer.py": """usage: performance_analyzer.py --endpoint PATH --load-test N [--optimize caching,queries]
                               [--base-url URL] [--connection DB]
       performance_analyzer.py --connection DB | URL [stanchion load options]

Endpoint performance analysis.

Forms:
  performance_analyzer.py --endpoint /api/users --load-test 1000 --optimize caching,queries
      load that endpoint (base URL from --base-url or STANCHION_BASE_URL) with 1,000 requests while reading
      the database's statement statistics; report statements per request, N+1 patterns, slow queries and
      cache candidates (stanchion perf)
  performance_analyzer.py --connection DB        database analysis: stanchion db analyze
  performance_analyzer.py URL --requests 100     a load test: stanchion load URL --requests 100
"""
    + _FOOT,
}
