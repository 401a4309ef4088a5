module github.com/example/wf-engine/deploy/image

go 1.26.0
