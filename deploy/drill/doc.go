// Package drill is the disaster-recovery drill (make dr-drill): it runs a
// built wf-engine under load, backs its store up, keeps loading, kills the
// engine, destroys the store, restores the backup and checks what came back,
// for SQLite and PostgreSQL, and prints the recovery point and time it
// measured. It holds a test only, which skips unless WF_DR_DRILL=1; it must
// never touch a store it did not create.
package drill
