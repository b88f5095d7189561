"""Default values and environment variable names that the root command needs. Kept free of
imports so that `dbt-cloud --help` does not pay for the config machinery."""

DEFAULT_HOST = "cloud.getdbt.com"
DEFAULT_PROFILE = "default"
DEFAULT_TIMEOUT = 30.0
#: Retries of one request at most; the retry budget (in seconds) usually ends them first.
DEFAULT_MAX_RETRIES = 20
#: Seconds a request safe to repeat keeps being retried: rides out a minute and a half of trouble.
DEFAULT_RETRY_BUDGET = 90.0
#: The longest timeout, budget, pause or wait a setting may ask for, in seconds (about 11 days):
#: nothing is meant to take longer, and far beyond it the clock arithmetic overflows.
MAX_SECONDS = 1_000_000.0
#: Seconds of consecutive failed polls a wait for a run rides out (dbt Cloud's API incidents last
#: minutes while the runs go on).
DEFAULT_WAIT_OUTAGE = 900.0

PROFILE_ENV_VAR = "DBT_CLOUD_PROFILE"
CONFIG_FILE_ENV_VAR = "DBT_CLOUD_CONFIG"
DEBUG_ENV_VAR = "DBT_CLOUD_DEBUG"
TIMEOUT_ENV_VAR = "DBT_CLOUD_TIMEOUT"
MAX_RETRIES_ENV_VAR = "DBT_CLOUD_MAX_RETRIES"
RETRY_BUDGET_ENV_VAR = "DBT_CLOUD_RETRY_BUDGET"
WAIT_OUTAGE_ENV_VAR = "DBT_CLOUD_WAIT_OUTAGE"
#: Set to "true" by GitHub Actions for every step: GitHub mode (`--github`) is then the default.
GITHUB_ACTIONS_ENV_VAR = "GITHUB_ACTIONS"
