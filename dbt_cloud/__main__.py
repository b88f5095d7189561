"""`python -m dbt_cloud` runs the CLI."""

from dbt_cloud.cli import main

if __name__ == "__main__":
    main()
