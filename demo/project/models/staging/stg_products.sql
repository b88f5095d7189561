select
    id as product_id,
    name as product_name,
    origin,
    roast,
    price_cents / 100.0 as price
from {{ ref('raw_products') }}
