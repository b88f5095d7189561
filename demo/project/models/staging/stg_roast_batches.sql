select
    batch_id,
    product_id,
    kilograms,
    roast,
    loaded_at
from {{ source('roastery', 'roast_batches') }}
