-- Live engine nodes (issue 21 item 2). Every node on a PostgreSQL database
-- renews its row every third of cluster.lease_ttl, whether it holds
-- partition leases or not, so that the nodes can spread the leases evenly:
-- a node takes free leases up to its fair share, ceil(partitions / live
-- nodes), and hands surplus ones over when nodes join. A node is live
-- while expires_at is ahead of the database's clock (now()); a node that
-- stops cleanly expires its row at once. Rows of nodes gone for long are
-- deleted by the next node that heartbeats.
CREATE TABLE cluster_nodes (
    node_id    TEXT PRIMARY KEY,
    address    TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);
