package main

import (
	"os"

	"github.com/example/wf-engine/sdk/connector"
)

func main() {
	version := os.Getenv("ECHO_VERSION")
	if version == "" {
		version = "1.0.0"
	}
	connector.Serve(&Echo{
		Version: version,
		Tag:     os.Getenv("ECHO_TAG"),
		Exit:    os.Exit,
		Log:     connector.Logger(),
	})
}
