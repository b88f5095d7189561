"""`dbt-cloud metadata`: GraphQL queries to the Discovery (metadata) API."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from dbt_cloud.api.operation import Api, Body, CommandModel, Operation, Verb


class MetadataQuery(CommandModel):
    """Run a GraphQL query against the Discovery (metadata) API.

    The query comes from --query, or from -f/--file (standard input by default).
    """

    operation: ClassVar[Operation] = Operation("POST", "/graphql", api=Api.DISCOVERY, envelope=False)
    query: Annotated[str, Body(), Field(min_length=1, description="The GraphQL query text.")]
    variables: Annotated[
        dict[str, Any] | None, Body(), Field(description="Query variables as JSON, or @file.json.")
    ] = None


#: The commands of the group these models make (the generated module's, where one exists, come first).
VERBS = [
    Verb("query", MetadataQuery),
]
