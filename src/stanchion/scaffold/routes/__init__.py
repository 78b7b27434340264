"""Spec to code: route registration, validators, types and handler stubs for Express, Fastify, Koa, FastAPI.

``generate(spec_path, framework, output, types_only=False, check=False)`` is the entry point (see
:mod:`stanchion.scaffold.routes.generate`).
"""
