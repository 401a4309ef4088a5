// Package usertask runs the user task: with zeebe:userTask a Camunda user
// task (assignee, candidates, dates, priority, form) that people work
// through the user task API; without it, a job of type
// io.camunda.zeebe:userTask whose headers carry the same settings. It never
// touches the store.
package usertask
