"""`stanchion skill install`: matches the packaged copy, second run is a no-op, local edits are kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from stanchion.skill.install import AGENT_FILE, MANIFEST, install, packaged_agent_file, packaged_files


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "stanchion", *args], capture_output=True, text=True, env=env)


def test_install_into_temp_home_matches_packaged_copy(tmp_path: Path) -> None:
    proc = _cli("--json", "skill", "install", home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    skill_dir = tmp_path / ".claude" / "skills" / "senior-backend"
    agent = tmp_path / ".claude" / "agents" / AGENT_FILE
    assert document["skill_dir"] == str(skill_dir)
    for source, rel in packaged_files():
        assert (skill_dir / rel).read_bytes() == source.read_bytes(), rel
    assert agent.read_bytes() == packaged_agent_file().read_bytes()
    assert (skill_dir / "SKILL.md").is_file()
    scripts = sorted(p.name for p in (skill_dir / "scripts").glob("*.py"))
    assert scripts == sorted(
        [
            "api_scaffolder.py",
            "database_migration_tool.py",
            "api_load_tester.py",
            "backend_decision_engine.py",
            "performance_analyzer.py",
        ]
    )
    assert all((skill_dir / "scripts" / name).stat().st_mode & 0o111 for name in scripts)

    second = _cli("--json", "skill", "install", home=tmp_path)
    assert second.returncode == 0
    summary = json.loads(second.stdout)["summary"]
    assert summary["written"] == summary["updated"] == summary["kept"] == 0
    assert (
        summary["unchanged"] == len(packaged_files()) + 2
    )  # the skill's files, the runtime record, the agent


def test_local_edit_is_kept_without_force(tmp_path: Path) -> None:
    dest, agents = tmp_path / "skill", tmp_path / "agents"
    install(dest, agents)
    edited = dest / "SKILL.md"
    edited.write_text(edited.read_text() + "\nmy team's note\n")
    result = install(dest, agents)
    assert result.kept == [edited]
    assert result.exit_code == 1
    assert "my team's note" in edited.read_text()
    # still recognised as edited on the next run
    assert install(dest, agents).kept == [edited]
    forced = install(dest, agents, force=True)
    assert [a.path for a in forced.actions if a.action == "overwritten"] == [edited]
    assert "my team's note" not in edited.read_text()


def test_cli_reports_kept_file_and_exits_1(tmp_path: Path) -> None:
    assert _cli("skill", "install", home=tmp_path).returncode == 0
    agent = tmp_path / ".claude" / "agents" / AGENT_FILE
    agent.write_text("edited\n")
    proc = _cli("skill", "install", home=tmp_path)
    assert proc.returncode == 1
    assert f"kept        {agent}" in proc.stdout
    assert "--force" in proc.stderr
    assert agent.read_text() == "edited\n"


def test_file_from_an_earlier_install_is_updated(tmp_path: Path) -> None:
    dest, agents = tmp_path / "skill", tmp_path / "agents"
    install(dest, agents)
    target = dest / "SKILL.md"
    old = b"an older packaged SKILL.md\n"
    target.write_bytes(old)
    manifest = json.loads((dest / MANIFEST).read_text())
    import hashlib

    manifest["files"]["SKILL.md"] = hashlib.sha256(old).hexdigest()
    (dest / MANIFEST).write_text(json.dumps(manifest))
    result = install(dest, agents)
    assert [a.action for a in result.actions if a.path == target] == ["updated"]
    assert result.exit_code == 0


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    result = install(tmp_path / "skill", tmp_path / "agents", dry_run=True)
    assert result.count("written") == len(packaged_files()) + 2
    assert not (tmp_path / "skill").exists()


def test_skill_path_points_at_packaged_copy(tmp_path: Path) -> None:
    proc = _cli("skill", "path", home=tmp_path)
    assert proc.returncode == 0
    assert (Path(proc.stdout.strip()) / "SKILL.md").is_file()


def test_install_records_the_interpreter_for_the_scripts(tmp_path: Path) -> None:
    import stanchion

    install(tmp_path / "skill", tmp_path / "agents")
    record = json.loads((tmp_path / "skill" / "scripts" / "stanchion-runtime.json").read_text())
    assert record["python"] == sys.executable
    assert Path(record["path"]) == Path(stanchion.__file__).resolve().parent.parent
    probe = subprocess.run(
        [record["python"], "-c", "import stanchion.cli.classic"], capture_output=True, text=True, timeout=60
    )
    assert probe.returncode == 0, probe.stderr


def test_agent_links_follow_a_custom_layout(tmp_path: Path) -> None:
    install(tmp_path / "x" / "skill", tmp_path / "agents")
    text = (tmp_path / "agents" / AGENT_FILE).read_text()
    assert "](../x/skill/SKILL.md)" in text and "../skills/senior-backend" not in text
    # the default layout keeps the packaged bytes
    install(tmp_path / ".claude" / "skills" / "senior-backend", tmp_path / ".claude" / "agents")
    assert (tmp_path / ".claude" / "agents" / AGENT_FILE).read_bytes() == packaged_agent_file().read_bytes()
