package indexer

import (
	"fmt"
	"testing"
)

// BenchmarkCountableQuery is the filter every counted search passes.
func BenchmarkCountableQuery(b *testing.B) {
	qs := []string{"公积金 提取", "临政发〔2026〕7号", "关于 2026年 城乡居民 基本医疗保险 的通知", "13805391234"}
	for i := 0; b.Loop(); i++ {
		_, _ = CountableQuery(qs[i%len(qs)])
	}
}

// BenchmarkDayCounterAdd is the cost of counting one ask.
func BenchmarkDayCounterAdd(b *testing.B) {
	c := newDayCounter()
	now := at(9, 0)
	for i := 0; b.Loop(); i++ {
		c.add(fmt.Sprintf("查询%d", i%500), fmt.Sprintf("203.0.%d.%d", i%7, i%251), now)
		if len(c.pending) >= maxPending-1 {
			c.take()
		}
	}
}
