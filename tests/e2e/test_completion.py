"""Tab completion as the shells ask for it: the bash script sourced in a real bash, zsh's and fish's
answers through click's protocol (neither shell is installed here), all without importing a group."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(sys.executable).parent
DBT_CLOUD = str(SCRIPTS / "dbt-cloud")

#: Calls the completion function the way bash does on Tab, for the words of each line given.
BASH_DRIVER = r"""
source "$1"
complete -p dbt-cloud
shift
for line in "$@"; do
    read -ra COMP_WORDS <<< "$line"
    [[ "$line" == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMPREPLY=()
    _dbt_cloud_completion dbt-cloud
    echo "${COMPREPLY[*]}"
done
"""

BASH_CASES = {
    "dbt-cloud jo": "job",
    "dbt-cloud job ru": "run",
    "dbt-cloud job run --wa": "--wait --wait-timeout --wait-outage",
    "dbt-cloud job list -o ": "json table ids",
    "dbt-cloud run get --run": "--run-id",
    "dbt-cloud --pro": "--profile",
    "dbt-cloud completion ": "bash zsh fish",
    "dbt-cloud conf": "configure",
    "dbt-cloud notification create --type sl": "slack slack_v2",
}


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{SCRIPTS}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def script(shell: str) -> str:
    result = subprocess.run(
        [DBT_CLOUD, "completion", shell], env=environment(), capture_output=True, text=True, check=True
    )
    return result.stdout


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("completion") / "dbt-cloud.bash"
    path.write_text(script("bash"))
    return path


def test_the_bash_script_is_valid_bash(bash_script: Path) -> None:
    result = subprocess.run(["bash", "-n", str(bash_script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_bash_completes_commands_subcommands_options_and_choices(bash_script: Path) -> None:
    bash = shutil.which("bash")
    assert bash is not None
    result = subprocess.run(
        [bash, "-c", BASH_DRIVER, "driver", str(bash_script), *BASH_CASES],
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "complete -o nosort -F _dbt_cloud_completion dbt-cloud", "the function is registered"
    assert dict(zip(BASH_CASES, lines[1:], strict=True)) == BASH_CASES


def protocol(shell: str, words: str, cword: str, **extra: str) -> list[str]:
    """What `dbt-cloud` answers a shell's completion function (click's protocol)."""
    env = environment(_DBT_CLOUD_COMPLETE=f"{shell}_complete", COMP_WORDS=words, COMP_CWORD=cword, **extra)
    result = subprocess.run([DBT_CLOUD], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_zsh_answers_with_values_and_descriptions() -> None:
    script_text = script("zsh")
    assert script_text.startswith("#compdef dbt-cloud")
    assert "_DBT_CLOUD_COMPLETE=zsh_complete dbt-cloud" in script_text
    # zsh sends the words and the index of the current one; the answer is type, value, help, in threes.
    answer = protocol("zsh", "dbt-cloud job ru", "2")
    assert answer[:2] == ["plain", "run"]
    assert answer[2].startswith("Trigger a run of a job")
    assert protocol("zsh", "dbt-cloud job list -o ", "4")[1::3] == ["json", "table", "ids"]
    assert protocol("zsh", "dbt-cloud job run --wa", "3")[1::3] == ["--wait", "--wait-timeout", "--wait-outage"]


def test_fish_answers_with_values() -> None:
    script_text = script("fish")
    assert 'complete --no-files --command dbt-cloud --arguments "(_dbt_cloud_completion)"' in script_text
    # fish sends the line up to the cursor and the word under it; the answer is `type,value[\thelp]`.
    assert protocol("fish", "dbt-cloud jo", "jo") == [
        "plain,job\tJobs: create, get, list, update, delete, and trigger runs."
    ]
    assert values(protocol("fish", "dbt-cloud job run --wa", "--wa")) == [
        "--wait",
        "--wait-timeout",
        "--wait-outage",
    ]
    assert values(protocol("fish", "dbt-cloud completion ", "")) == ["bash", "zsh", "fish"]


def values(answer: list[str]) -> list[str]:
    return [line.split("\t")[0].removeprefix("plain,") for line in answer]


def test_the_shell_comes_from_SHELL_when_not_named() -> None:
    zsh = subprocess.run(
        [DBT_CLOUD, "completion"], env=environment(SHELL="/usr/bin/zsh"), capture_output=True, text=True, check=False
    )
    assert zsh.returncode == 0
    assert zsh.stdout.startswith("#compdef dbt-cloud")
    unknown = subprocess.run(
        [DBT_CLOUD, "completion"], env=environment(SHELL="/bin/tcsh"), capture_output=True, text=True, check=False
    )
    assert unknown.returncode == 2
    assert unknown.stdout == ""
    assert unknown.stderr == (
        "Error: Cannot tell which shell to complete for ($SHELL is /bin/tcsh) "
        "(name it: dbt-cloud completion bash|zsh|fish)\n"
    )


LAZY_PROBE = """
import json, os, sys
os.environ.update(_DBT_CLOUD_COMPLETE="bash_complete", COMP_WORDS={words!r}, COMP_CWORD={cword!r})
from dbt_cloud.cli import main
try:
    main([])
except SystemExit:
    pass
heavy = ["pydantic", "httpx", "dbt_cloud.http.client"]
groups = sorted(m for m in sys.modules if m.startswith("dbt_cloud.cli.commands.") and m != "dbt_cloud.api.generated")
print(json.dumps({{"heavy": [m for m in heavy if m in sys.modules], "groups": groups}}), file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("dbt-cloud job run --wa", "3", "--wait"),
        ("dbt-cloud job list -o ", "4", "json"),
        ("dbt-cloud jo", "1", "job"),
        ("dbt-cloud run get --include-related ", "4", "run_steps"),
    ],
)
def test_a_tab_imports_no_group_nor_pydantic_nor_httpx(words: str, cword: str, expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", LAZY_PROBE.format(words=words, cword=cword)], capture_output=True, text=True, check=False
    )
    assert f"plain,{expected}" in result.stdout.splitlines()
    assert json.loads(result.stderr.strip().splitlines()[-1]) == {"heavy": [], "groups": []}


PATH_CASES = {
    "dbt-cloud job import -f jo": "file,jo",
    "dbt-cloud job run --download-artifacts tar": "dir,tar",
    "dbt-cloud run watch 5 --download-artifacts tar": "dir,tar",
    "dbt-cloud run get-artifact 5 --path x --output-dir o": "dir,o",
    "dbt-cloud demo data-catalog -f target": "file,target",
    "dbt-cloud demo data-catalog --manifest m": "file,m",
    "dbt-cloud job export -f jobs.": "file,jobs.",
    "dbt-cloud metadata query -f q": "file,q",
}


@pytest.mark.parametrize("words", list(PATH_CASES))
def test_path_options_have_the_shell_complete_file_or_folder_names(words: str) -> None:
    """Issue 18, point 9: click answers `file` or `dir`, and its bash script hands the listing to
    bash (`compopt -o default` / `-o dirnames`), zsh's and fish's to their own file completion."""
    cword = str(len(words.split()) - 1)
    assert protocol("bash", words, cword) == [PATH_CASES[words]]


def test_profile_options_complete_the_cli_profiles(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    for name in ("prod", "ci", "default"):
        subprocess.run(
            [DBT_CLOUD, "--profile", name, "configure", "--account-id", "1"],
            env=environment(DBT_CLOUD_CONFIG=str(config)),
            check=True,
            capture_output=True,
        )
    env = {"DBT_CLOUD_CONFIG": str(config)}
    assert values(protocol("fish", "dbt-cloud --profile ", "", **env)) == ["ci", "default", "prod"]
    assert values(protocol("fish", "dbt-cloud configure --profile p", "p", **env)) == ["prod"]
    missing = {"DBT_CLOUD_CONFIG": str(tmp_path / "none.toml")}
    assert not any(protocol("fish", "dbt-cloud --profile ", "", **missing)), "no file: nothing offered, no error"


def test_include_related_completes_its_known_values() -> None:
    assert values(protocol("fish", "dbt-cloud run get --include-related run_", "run_")) == [
        "run_steps",
        "run_retries",
    ]
    assert values(protocol("fish", "dbt-cloud run list --include-related job,tr", "job,tr")) == ["job,trigger"]
    offered = values(protocol("fish", "dbt-cloud repository list --include-related ", ""))
    assert offered == ["deploy_key"], "the values the spec lists for the operation"
