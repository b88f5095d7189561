"""The wire facts: operation models (generated from spec/ and hand-written), their verbs, the
registry that lists them, resources and run facts. Nothing here knows click or httpx; the local
runner may read it too."""
