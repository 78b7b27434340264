"""The agent skill: SKILL.md, the backend-engineer agent, reference guides and the classic scripts.

The skill is package data under ``stanchion/skill/data``; :func:`stanchion.skill.install.install` copies it
into an agent's skill folder without ever overwriting a file the user changed.
"""
