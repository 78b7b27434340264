"""The Express + TypeScript stack: Express 5, zod (+ OpenAPI 3.1), Drizzle on PostgreSQL/PGlite, vitest."""
