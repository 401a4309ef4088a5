package rest

import "testing"

// IntegerFields exports integerFields (numbers_test.go) to rest_test.
func IntegerFields(t *testing.T) []integerField { return integerFields(t) }
