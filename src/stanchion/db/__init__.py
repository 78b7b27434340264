"""The db tool: migrations, schema analysis, index advice, schema diff and migration lint.

Everything here is core: it returns result objects and raises :class:`stanchion.errors.StanchionError`;
it never prints, prompts or exits.
"""
