DROP TABLE IF EXISTS cluster_nodes;
