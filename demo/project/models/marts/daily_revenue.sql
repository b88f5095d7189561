-- Revenue per day. Incremental: a run adds the days after the last one already loaded.
{{ config(materialized='incremental', unique_key='order_date') }}

select
    o.order_date,
    count(*) as orders,
    sum(o.quantity * p.price) as revenue
from {{ ref('stg_orders') }} as o
join {{ ref('stg_products') }} as p using (product_id)
where o.status <> 'returned'
{% if is_incremental() %}
  and o.order_date > (select max(order_date) from {{ this }})
{% endif %}
group by 1
