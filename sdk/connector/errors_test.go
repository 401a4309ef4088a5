package connector_test

import (
	"testing"

	"github.com/example/wf-engine/sdk/connector"
)

func TestErrorText(t *testing.T) {
	cases := []struct {
		name string
		err  *connector.Error
		want string
	}{
		{"the message is the text, without the code", &connector.Error{Code: "404", Message: "GET /x answered 404 Not Found"}, "GET /x answered 404 Not Found"},
		{"without a message the code is named", &connector.Error{Code: "SMTP_550"}, "connector error with code SMTP_550"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Fatalf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}
