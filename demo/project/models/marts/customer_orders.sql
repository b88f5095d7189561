-- One row per customer: how much they buy and when they last ordered.
with orders as (
    select o.*, p.price * o.quantity as revenue
    from {{ ref('stg_orders') }} as o
    join {{ ref('stg_products') }} as p using (product_id)
    where o.status <> 'returned'
)

select
    c.customer_id,
    c.full_name,
    c.city,
    count(orders.order_id) as order_count,
    coalesce(sum(orders.revenue), 0) as lifetime_revenue,
    max(orders.order_date) as last_order_date
from {{ ref('stg_customers') }} as c
left join orders using (customer_id)
group by 1, 2, 3
