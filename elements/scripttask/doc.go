// Package scripttask runs the script task: with zeebe:script the engine
// evaluates the FEEL expression and stores it in the result variable;
// without, it is job-based like a service task. It never touches the store.
package scripttask
