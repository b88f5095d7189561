"""What chains operations, written once for the typed client and the command line: runs and
waiting, export/import, bulk changes, artifacts, jobs YAML, updates that change only what is given."""
