"""What the command line does beyond sending a verb of the operation registry: composites (waiting,
export/import, bulk changes, artifacts), `api`, `configure`, `local`, `demo`, `completion`, and
`base.py`, which makes a click command of any verb. Modules are imported lazily by `dbt_cloud.cli`."""
