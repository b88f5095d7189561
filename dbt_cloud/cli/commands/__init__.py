"""Command groups, one module per resource: the command models of its operations and the click
group built from them. Modules are imported lazily by `dbt_cloud.cli`."""
