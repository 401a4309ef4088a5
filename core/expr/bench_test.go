package expr

import "testing"

func benchEval(b *testing.B, src string) {
	e, err := Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	env := testEnv()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalCondition(b *testing.B) {
	e, err := Parse("=amount > 100")
	if err != nil {
		b.Fatal(err)
	}
	env := testEnv()
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := e.EvalBool(env); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkEvalStringEquals(b *testing.B) { benchEval(b, `=x = "a"`) }

func BenchmarkEvalPath(b *testing.B) { benchEval(b, "=order.customer.name") }

func BenchmarkEvalStatic(b *testing.B) { benchEval(b, "static text") }

func BenchmarkEvalFilter(b *testing.B) { benchEval(b, "=orders[price > 10].name") }

func BenchmarkEvalContext(b *testing.B) {
	benchEval(b, `={id: orderId, total: order.total * 2, big: amount > 100}`)
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CompileFEEL(`if amount > 100 then orders[price > 10].name else []`); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalConditionParallel(b *testing.B) {
	e, err := Parse("=amount > 100")
	if err != nil {
		b.Fatal(err)
	}
	env := testEnv()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.EvalBool(env); err != nil {
				b.Fatal(err)
			}
		}
	})
}
