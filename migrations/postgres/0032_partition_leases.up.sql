-- Partition leases (issue 21 items 2 and 5). The node that holds a
-- partition's lease runs that partition's engine loop; other nodes wait for
-- the lease and forward requests to its owner. The epoch grows by one at
-- every takeover and is the fencing token: every commit of a node running
-- under a lease calls wf_fence in its own transaction, so a former owner
-- that was paused or cut off can never commit after another node took the
-- lease. Expiry is the database's clock (now()), never a node's. Rows are
-- never deleted: a released lease keeps its epoch, and the next owner's is
-- one higher.
CREATE TABLE partition_leases (
    partition  INT PRIMARY KEY CHECK (partition >= 1),
    node_id    TEXT NOT NULL,
    epoch      BIGINT NOT NULL CHECK (epoch >= 1),
    expires_at TIMESTAMPTZ NOT NULL,
    address    TEXT NOT NULL
);

-- wf_fence(partition, epoch) fails the transaction it runs in (SQLSTATE
-- WF001, severity ERROR: the whole commit rolls back) unless the partition's
-- lease still has that epoch. FOR SHARE holds the lease row until the commit
-- ends: a takeover updates the row, so it waits for a commit in flight and
-- the new owner loads after it; a commit that starts after a takeover sees
-- the new epoch and is refused.
CREATE FUNCTION wf_fence(p INT, e BIGINT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM partition_leases WHERE partition = p AND epoch = e FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the lease of partition % was taken over after epoch %', p, e
            USING ERRCODE = 'WF001';
    END IF;
END
$$;
