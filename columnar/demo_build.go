package columnar

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// batch generates n users with ids from first+1 and returns them as a record.
func (g *demoGen) batch(first int64, n int) arrow.RecordBatch {
	users := make([]demoUser, n)
	for i := range users {
		users[i] = g.user(first + int64(i) + 1)
	}
	cols := make([]arrow.Array, 0, len(DemoSchema.Fields()))
	add := func(a arrow.Array) { cols = append(cols, a) }
	add(buildInt64(g, n, func(i int) (int64, bool) { return first + int64(i) + 1, true }))
	add(buildInt32(g, n, func(i int) (int32, bool) { return users[i].age, !users[i].ageNull }))
	add(g.dict("gender", n, func(i int) int16 { return users[i].gender }))
	add(buildFloat64(g, n, func(i int) (float64, bool) { return users[i].income, !users[i].incomeNull }))
	add(g.dict("education", n, func(i int) int16 { return users[i].education }))
	add(g.dict("occupation", n, func(i int) int16 { return users[i].occupation }))
	for f, name := range []string{"country", "region", "city", "climate"} {
		add(g.dict(name, n, func(i int) int16 { return placeIndex[users[i].place][f] }))
	}
	db := array.NewDate32Builder(g.mem)
	for _, u := range users {
		db.Append(arrow.Date32(u.signup))
	}
	add(db.NewArray())
	db.Release()
	ts := DemoSchema.Field(11).Type.(*arrow.TimestampType)
	add(buildTS(g, ts, n, func(i int) (int64, bool) { return users[i].lastSeen, true }))
	add(buildTS(g, ts, n, func(i int) (int64, bool) { return users[i].lastPurchase, users[i].orders > 0 }))
	add(buildInt32(g, n, func(i int) (int32, bool) { return users[i].sessions, true }))
	add(buildInt32(g, n, func(i int) (int32, bool) { return users[i].p30, true }))
	add(buildInt32(g, n, func(i int) (int32, bool) { return users[i].p90, true }))
	add(buildInt32(g, n, func(i int) (int32, bool) { return users[i].orders, true }))
	add(buildFloat64(g, n, func(i int) (float64, bool) { return users[i].revenue, true }))
	add(buildFloat64(g, n, func(i int) (float64, bool) { return users[i].aov, users[i].orders > 0 }))
	add(buildFloat64(g, n, func(i int) (float64, bool) { return users[i].discount, users[i].orders > 0 }))
	bb := array.NewBooleanBuilder(g.mem)
	for _, u := range users {
		bb.Append(u.premium)
	}
	add(bb.NewArray())
	add(g.dict("plan", n, func(i int) int16 { return users[i].plan }))
	add(buildFloat64(g, n, func(i int) (float64, bool) { return users[i].churn, true }))
	add(buildInt32(g, n, func(i int) (int32, bool) { return users[i].nps, !users[i].npsNull }))
	for _, u := range users {
		if u.optInNull {
			bb.AppendNull()
		} else {
			bb.Append(u.optIn)
		}
	}
	add(bb.NewArray())
	bb.Release()
	add(g.interestList(users))
	add(g.dict("device", n, func(i int) int16 { return users[i].device }))
	rec := array.NewRecordBatch(DemoSchema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

func (g *demoGen) dict(name string, n int, get func(int) int16) arrow.Array {
	b := array.NewInt16Builder(g.mem)
	defer b.Release()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		if v := get(i); v < 0 {
			b.AppendNull()
		} else {
			b.UnsafeAppend(v)
		}
	}
	idx := b.NewArray()
	defer idx.Release()
	return array.NewDictionaryArray(dictString(), idx, g.dicts[name])
}

func (g *demoGen) interestList(users []demoUser) arrow.Array {
	lb := array.NewListBuilder(g.mem, arrow.BinaryTypes.String)
	defer lb.Release()
	vb := lb.ValueBuilder().(*array.StringBuilder)
	for _, u := range users {
		if u.interestsNull {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for _, s := range u.interests {
			vb.Append(s)
		}
	}
	return lb.NewArray()
}

// builder is the part of Arrow's typed builders the demo uses.
type builder[T any] interface {
	Append(T)
	AppendNull()
	NewArray() arrow.Array
	Release()
}

// build appends n values from get (ok=false: null) to b and returns the array.
func build[T any](b builder[T], n int, get func(int) (T, bool)) arrow.Array {
	defer b.Release()
	for i := 0; i < n; i++ {
		if v, ok := get(i); ok {
			b.Append(v)
		} else {
			b.AppendNull()
		}
	}
	return b.NewArray()
}

func buildInt64(g *demoGen, n int, get func(int) (int64, bool)) arrow.Array {
	return build[int64](array.NewInt64Builder(g.mem), n, get)
}

func buildInt32(g *demoGen, n int, get func(int) (int32, bool)) arrow.Array {
	return build[int32](array.NewInt32Builder(g.mem), n, get)
}

func buildFloat64(g *demoGen, n int, get func(int) (float64, bool)) arrow.Array {
	return build[float64](array.NewFloat64Builder(g.mem), n, get)
}

func buildTS(g *demoGen, t *arrow.TimestampType, n int, get func(int) (int64, bool)) arrow.Array {
	return build[arrow.Timestamp](array.NewTimestampBuilder(g.mem, t), n, func(i int) (arrow.Timestamp, bool) {
		v, ok := get(i)
		return arrow.Timestamp(v), ok
	})
}
