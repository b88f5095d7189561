-- Fails on purpose, to show a failed run: some orders are still placed or were returned.
-- Excluded from plain `dbt build` by the default selector; run it with --select tag:demo_failure.
{{ config(tags=['demo_failure']) }}

select order_id, status
from {{ ref('stg_orders') }}
where status not in ('shipped', 'completed')
