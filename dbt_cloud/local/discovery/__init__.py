"""The Discovery (GraphQL) API of the local runner, answered from the runs' own artifacts.

`schema.graphql` is the schema (dbt Labs' names); `artifacts` reads what one run left, `state` merges
an environment's runs into its applied state, `nodes` and `resolvers` answer the fields, and
`endpoint` is `POST /graphql`.
"""

from dbt_cloud.local.discovery.endpoint import discovery_routes

__all__ = ["discovery_routes"]
