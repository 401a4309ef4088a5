// Package expr compiles and evaluates FEEL-lite and CEL expressions. It never
// reads the wall clock, does I/O or panics on user input.
//
// # Two languages, one evaluator
//
// Attribute values of Camunda 8 models are read with [Parse]: a value that
// starts with '=' is a FEEL expression, anything else is a static string.
// [CompileFEEL] compiles FEEL-lite: the hand-written tokenizer and
// recursive-descent parser build a FEEL syntax tree, and the code generator
// turns it into a CEL syntax tree in which every FEEL operator and built-in
// function is a CEL function implemented in Go with FEEL's null semantics,
// and FEEL's bound variables (for, some, every, filters, context entries,
// sort's function literal) are CEL comprehension variables. [CompileCEL]
// compiles plain CEL for formalExpression language="cel". Both run as a
// cel.Program with a cost limit of [CostLimit], so a runaway expression such
// as `for x in 1..1000, y in 1..1000 return x` stops with an *EvalError
// instead of hanging. Lists and strings built during evaluation are capped
// (1,000,000 elements, 10 MiB), the result of an evaluation may take at
// most [MaxResultBytes] as JSON ([Size]; a list of ten 10 MiB strings is
// refused although each string is allowed), and expressions may nest at
// most 200 levels.
//
// An *Expression is immutable and safe for concurrent evaluation. now() and
// today() read [Env.Now]; uuid() is derived from [Env.Seed] and a counter
// that restarts with every evaluation, so the same seed gives the same UUIDs.
//
// # Values
//
// Evaluation reads and returns Go values as encoding/json decodes them into
// an any: nil, bool, float64, string, []any and map[string]any. Other Go
// numbers, json.Number and other slices and string-keyed maps are accepted
// as input and read as FEEL values. Temporal values are [Date], [DateTime],
// [Time], [Duration] (days and time) and [YearsMonths]; [ToJSON] turns them
// into the ISO-8601 strings Camunda writes ("2025-01-31",
// "2025-01-31T10:00:00Z", "P2DT3H", "P1Y2M"). A range literal such as
// [1..10] evaluates to a [Range].
//
// # Known differences from feel-scala
//
//   - FEEL numbers are decimals; here they are float64. The results of
//     arithmetic (+, -, *, /, **) and of the numeric built-ins are rounded
//     to 15 significant digits, so 0.1 + 0.2 = 0.3 holds, but 1/3 * 3 is
//     0.999999999999999 and integers beyond 2^53 lose precision. Rounding built-ins (decimal,
//     round half up, ...) work on the shortest decimal form of the number,
//     so round half up(2.675, 2) is 2.68.
//   - Evaluation problems FEEL reports as warnings give null: a type
//     mismatch, a function called with arguments of the wrong type, division
//     by zero, a missing variable or key. "a" = 1 is false, "a" < 1 is null.
//   - Regular expressions are Go's RE2 rather than XPath; $1 in a
//     replacement refers to a group as in XPath.
//   - Date-times with a zone id (@"2025-01-01T10:00:00@Europe/Paris") are not
//     supported: loading the zone database would be I/O. Offsets are.
//   - Iterating or filtering null gives an empty list (for, some, every) or
//     null (filters); a single value is iterated as a one-element list.
//   - A filter whose condition is not a number literal decides per list
//     whether it indexes or filters from its first result, so a numeric
//     filter on an empty list gives [] rather than null.
//   - Function literals are supported only as the precedes argument of
//     sort; user-defined functions, range built-ins (before, after, ...),
//     the partial variable of for, and names containing spaces other than
//     built-in function names are not supported.
//   - Chains of more than 200 operators (a + b + ... ) are rejected as nested
//     too deeply.
package expr
