"""GitHub Actions mode (`--github`; on by itself where GITHUB_ACTIONS=true): what a workflow gets
from a command besides the answer on stdout.

- Workflow commands, on stderr: `::add-mask::` for the token before any request is sent,
  `::group::`/`::endgroup::` around status output that belongs together (the progress of a wait,
  a failed step's log), `::error::` for the error line and `::warning::` for what the summary
  could not say. Why stderr: stdout carries the answer that scripts pipe to jq, and the Actions
  runner reads workflow commands from both streams of a step (actions/runner's ScriptHandler
  attaches an OutputManager, the command parser, to stdout and to stderr alike).
- For a command that answers with a run (`job run`, `run get`, `run watch`, `run retry`): the step
  outputs `run-id`, `status`, `run-url` and `artifact-paths` (the files the command's downloads
  saved), appended to $GITHUB_OUTPUT, and a Markdown summary (job, run and link, status, duration,
  git, and for a failed run the failed nodes of run_results.json) appended to $GITHUB_STEP_SUMMARY.

The reporter is one more listener of the invocation's events, like the progress renderers, and
reads the answer the command printed: the commands do not know it is there. The files are appended
to, as GitHub expects; everything written passes through `redact`, so the token never reaches them.
Writing them is best effort: a failure is said on stderr and never changes the exit code.
"""

# The pure helpers are in workflow.py (workflow commands, step files) and summary.py (the summary's
# text); the package offers what the command line uses of it.
from dbt_cloud.cli.github.reporter import GitHubReporter
from dbt_cloud.cli.github.workflow import error_annotation

__all__ = ["GitHubReporter", "error_annotation"]
