{#-
    catalog.json with row counts: dbt-duckdb's catalog query reports no table statistics, so this
    override of its final step (dbt-duckdb 1.11, macros/catalog.sql) adds one, "Row count", from
    DuckDB's duckdb_tables(). Views have none. Delete this file to get dbt-duckdb's own catalog back.
-#}
{% macro duckdb__get_catalog_results_sql() -%}
    select
        tables.table_database,
        tables.table_schema,
        tables.table_name,
        tables.table_type,
        tables.table_comment,
        columns.column_name,
        columns.column_index,
        columns.column_type,
        columns.column_comment,
        null as table_owner,
        'Row count' as "stats:row_count:label",
        stored.estimated_size as "stats:row_count:value",
        'Rows in the table, as DuckDB counts them' as "stats:row_count:description",
        stored.estimated_size is not null as "stats:row_count:include"
    from tables
    join columns using (table_database, table_schema, table_name)
    left join duckdb_tables() as stored
        on stored.database_name = tables.table_database
        and stored.schema_name = tables.table_schema
        and stored.table_name = tables.table_name
    order by tables.table_schema, tables.table_name, columns.column_index
{%- endmacro %}
