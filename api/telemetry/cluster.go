package telemetry

import "github.com/prometheus/client_golang/prometheus"

// Names of the metrics of a node among several on one database
// (docs/metrics.md, ha.md "Several engine nodes").
const (
	NameClusterLeasesHeld   = "wf_cluster_partition_leases_held"
	NameClusterLiveNodes    = "wf_cluster_live_nodes"
	NameClusterTakeovers    = "wf_cluster_lease_takeovers_total"
	NameClusterHandovers    = "wf_cluster_lease_handovers_total"
	NameClusterLeasesLost   = "wf_cluster_leases_lost_total"
	NameClusterFencedCommit = "wf_cluster_fenced_commits_total"
)

// ClusterStatus is a node's view of the partition leases, as
// NewClusterCollector reads it.
type ClusterStatus struct {
	// LeasesHeld is how many partition leases the node holds (it runs
	// their engines); LiveNodes how many nodes heartbeat, as the node last
	// read them.
	LeasesHeld, LiveNodes int
	// Takeovers, Handovers, LeasesLost and FencedCommits count since the
	// node started: leases it took, partitions it handed over to spread
	// them, leases it lost, and commits the store refused because the
	// partition's lease had moved.
	Takeovers, Handovers, LeasesLost, FencedCommits int64
}

// NewClusterCollector exports a node's lease metrics from fn.
func NewClusterCollector(fn func() ClusterStatus) prometheus.Collector {
	return &clusterCollector{fn: fn,
		held:      prometheus.NewDesc(NameClusterLeasesHeld, "Partition leases this node holds (it runs their engines).", nil, nil),
		live:      prometheus.NewDesc(NameClusterLiveNodes, "Engine nodes on the store that heartbeat, as this node last read them.", nil, nil),
		takeovers: prometheus.NewDesc(NameClusterTakeovers, "Partition leases this node took (free, expired or released ones).", nil, nil),
		handovers: prometheus.NewDesc(NameClusterHandovers, "Partitions this node handed over to spread them evenly over the live nodes.", nil, nil),
		lost:      prometheus.NewDesc(NameClusterLeasesLost, "Partition leases this node lost (another node took them, or renewals failed for too long).", nil, nil),
		fenced: prometheus.NewDesc(NameClusterFencedCommit,
			"Commits the store refused because the partition's lease had moved to another node (nothing of them was written).", nil, nil),
	}
}

type clusterCollector struct {
	fn                                             func() ClusterStatus
	held, live, takeovers, handovers, lost, fenced *prometheus.Desc
}

func (c *clusterCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.held, c.live, c.takeovers, c.handovers, c.lost, c.fenced} {
		ch <- d
	}
}

func (c *clusterCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.fn()
	ch <- prometheus.MustNewConstMetric(c.held, prometheus.GaugeValue, float64(s.LeasesHeld))
	ch <- prometheus.MustNewConstMetric(c.live, prometheus.GaugeValue, float64(s.LiveNodes))
	ch <- prometheus.MustNewConstMetric(c.takeovers, prometheus.CounterValue, float64(s.Takeovers))
	ch <- prometheus.MustNewConstMetric(c.handovers, prometheus.CounterValue, float64(s.Handovers))
	ch <- prometheus.MustNewConstMetric(c.lost, prometheus.CounterValue, float64(s.LeasesLost))
	ch <- prometheus.MustNewConstMetric(c.fenced, prometheus.CounterValue, float64(s.FencedCommits))
}
