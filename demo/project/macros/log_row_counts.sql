{% macro log_row_counts(results) %}
{#-
    Called by the on-run-end hook: logs how many rows each table this invocation built or loaded
    holds, since DuckDB reports no row count for `create table as` (the log says only "OK").
-#}
{%- if execute -%}
    {%- for result in results
        if result.status == 'success'
        and result.node.resource_type in ('model', 'seed')
        and result.node.config.materialized in ('table', 'incremental', 'seed') -%}
        {%- set counted = run_query('select count(*) from ' ~ result.node.relation_name) -%}
        {%- do log('Rows in ' ~ result.node.schema ~ '.' ~ result.node.alias ~ ': ' ~ counted.columns[0].values()[0], info=True) -%}
    {%- endfor -%}
{%- endif -%}
{% endmacro %}
