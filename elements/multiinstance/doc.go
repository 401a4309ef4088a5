// Package multiinstance runs the multi-instance body of an activity marked
// with bpmn:multiInstanceLoopCharacteristics, as Zeebe does: the body
// evaluates the input collection and starts one instance of the wrapped
// activity per item (all at once, or one after the other), each with the
// locals loopCounter, the input element and the output element; it
// collects each instance's output element into the output collection at
// the instance's index, ends early when the completion condition holds,
// and completes when no instance is left. It never touches the store.
package multiinstance
