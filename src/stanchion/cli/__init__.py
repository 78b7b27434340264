"""The command-line adapters. Only this package prints, prompts or exits; the core returns results.

Import cost matters here: ``import stanchion.cli`` must not load SQLAlchemy, Jinja2, Pydantic, uvloop,
httptools, rich.progress or PyYAML (tests/test_startup.py guards it). Each tool's sub-command module is
imported only when that tool is invoked.
"""
