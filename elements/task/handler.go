package task

import "github.com/example/wf-engine/core/element"

// Handler runs plain and manual tasks.
type Handler struct{ element.PassThrough }

// Interface guards
var _ element.Handler = Handler{}
