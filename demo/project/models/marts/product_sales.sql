-- One row per coffee: bags sold, revenue, and kilograms roasted for it.
with sold as (
    select product_id, sum(quantity) as bags_sold
    from {{ ref('stg_orders') }}
    where status <> 'returned'
    group by 1
),

roasted as (
    select product_id, sum(kilograms) as kilograms_roasted
    from {{ ref('stg_roast_batches') }}
    group by 1
)

select
    p.product_id,
    p.product_name,
    p.origin,
    p.roast,
    coalesce(sold.bags_sold, 0) as bags_sold,
    coalesce(sold.bags_sold, 0) * p.price as revenue,
    coalesce(roasted.kilograms_roasted, 0) as kilograms_roasted
from {{ ref('stg_products') }} as p
left join sold using (product_id)
left join roasted using (product_id)
