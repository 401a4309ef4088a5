package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// crossingOf connects the partitions of stores, stores[i] partition i+1's
// log, for inter-partition commands, with a quick poll.
func crossingOf(stores []store.Store) *Crossing {
	return NewCrossing(int32(len(stores)), func(p int32) (store.Store, error) { return stores[p-1], nil }, // #nosec G115 -- a few partitions
		ForwarderOptions{Poll: 20 * time.Millisecond})
}

// msgXML waits for the message "paid" of an order.
const msgXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="catch" />
    <bpmn:intermediateCatchEvent id="catch"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// BenchmarkMessagesAcrossPartitions runs, with 64 clients on memory
// stores, instances that wait for their order's message, each created and
// its message published (buffered) by one client; an instance counts once
// it ended. With 4 partitions three in four messages live on another
// partition than their instance.
func BenchmarkMessagesAcrossPartitions(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("partitions=%d", n), func(b *testing.B) {
			ctx := context.Background()
			r := startRouter(b, partitionStores(n))
			if _, err := r.Deploy(ctx, DeployRequest{Resources: []record.Resource{{Name: "wait.bpmn", Content: []byte(msgXML)}}}); err != nil {
				b.Fatal(err)
			}
			const clients = 64
			work := make(chan int, b.N)
			for i := range b.N {
				work <- i
			}
			close(work)
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range work {
						order := fmt.Sprintf("o-%d", i)
						done := make(chan InstanceEnd, 1)
						ci, err := r.createAwaiting(ctx, order, done)
						if err == nil {
							_, err = r.PublishMessage(ctx, PublishMessageRequest{Name: "paid", CorrelationKey: order, TimeToLive: time.Minute})
						}
						if err == nil {
							select {
							case <-done:
							case <-time.After(time.Minute):
								err = fmt.Errorf("instance %d did not end", ci)
							}
						}
						if err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
		})
	}
}

// createAwaiting creates an instance waiting for order's message and
// sends its end to done.
func (r *Router) createAwaiting(ctx context.Context, order string, done chan InstanceEnd) (int64, error) {
	ci, err := r.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "wait", Variables: map[string]any{"order": order}})
	if err != nil {
		return 0, err
	}
	end, cancel := r.AwaitInstance(ci.ProcessInstanceKey)
	go func() {
		defer cancel()
		select {
		case e := <-end:
			done <- e
		case <-time.After(time.Minute):
		}
	}()
	return ci.ProcessInstanceKey, nil
}
