"""PR extraction through GitHub's GraphQL API (``prseed extract --api graphql``).

``query`` builds the query texts, ``cost`` computes their node count and points before sending,
``client`` sends them through the run's governor, ``pager`` pages PRs and every nested list,
``rows`` maps GraphQL nodes to the snapshot contract's rows, ``run`` plugs it all into the
pipeline. The README's "GraphQL and REST" lists what differs from the REST path, column by column.
"""
