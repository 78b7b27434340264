"""``stanchion skill``: install the backend-engineer agent skill; show where the packaged copy lives."""

from __future__ import annotations

from pathlib import Path

import click

from stanchion.cli.common import json_option, output, raise_for_exit
from stanchion.text import counted


@click.group("skill", context_settings={"help_option_names": ["-h", "--help"]})
def group() -> None:
    """The agent skill: SKILL.md, the backend-engineer agent, references and the classic scripts.

    \b
    Examples:
      stanchion skill install                       into ~/.claude/skills/senior-backend/
      stanchion skill install --dest ./skill --agents-dest ./agents
      stanchion skill path
    """


@group.command("install")
@click.option(
    "--dest",
    type=click.Path(path_type=Path),
    default=None,
    help="Skill folder (default: ~/.claude/skills/senior-backend/).",
)
@click.option(
    "--agents-dest",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the agent file (default: ~/.claude/agents/).",
)
@click.option("--force", is_flag=True, help="Overwrite files you changed since they were installed.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@json_option
@click.pass_context
def install_cmd(
    ctx: click.Context,
    dest: Path | None,
    agents_dest: Path | None,
    force: bool,
    dry_run: bool,
    json_mode: bool,
) -> None:
    """Write the skill folder and the agent file; never overwrite your edits without --force.

    \b
    A second run is a no-op. A file you edited is kept (exit 1, listed) unless --force.
    Examples:
      stanchion skill install
      stanchion skill install --dest /tmp/skill --agents-dest /tmp/agents --dry-run
    """
    from stanchion.skill.install import install

    out = output(ctx, json_mode)
    result = install(dest, agents_dest, force=force, dry_run=dry_run)
    lines = [f"{item.action:<11} {item.path}" for item in result.actions if item.action != "unchanged"]
    verb = "would install" if dry_run else "installed"
    summary = ", ".join(
        f"{result.count(a)} {a}"
        for a in ("written", "updated", "unchanged", "kept", "overwritten")
        if result.count(a)
    )
    lines.append(f"{verb} skill in {result.skill_dir} and agent {result.agent_file}: {summary}")
    out.result(result.to_json(), "\n".join(lines))
    if result.kept:
        kept = len(result.kept)
        were = "was" if kept == 1 else "were"
        out.warn(f"{counted(kept, 'file')} you changed {were} kept; rerun with --force to replace them")
    raise_for_exit(result.exit_code)


@group.command("path")
@json_option
@click.pass_context
def path_cmd(ctx: click.Context, json_mode: bool) -> None:
    """Print where the packaged copy of the skill lives.

    \b
    Example:
      ls "$(stanchion skill path)"
    """
    from stanchion.skill.install import packaged_agent_file, packaged_skill_dir

    out = output(ctx, json_mode)
    skill_dir = packaged_skill_dir()
    out.result({"skill_dir": str(skill_dir), "agent_file": str(packaged_agent_file())}, str(skill_dir))
