module github.com/example/wf-engine/deploy/release

go 1.26.0
