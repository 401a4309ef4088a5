package crashtest

import (
	"time"

	"github.com/example/wf-engine/core/engine"
)

func activate() engine.ActivateJobsRequest {
	return engine.ActivateJobsRequest{Type: "w1-work", Worker: "finisher", Timeout: time.Minute, MaxJobs: 100, RequestTimeout: 500 * time.Millisecond}
}

func completeReq(key int64) engine.CompleteJobRequest {
	return engine.CompleteJobRequest{Key: key}
}
