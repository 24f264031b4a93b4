package checks

import "testing"

// BenchmarkTrainColumnFit trains on the demo catalog's training split
// (8,000 entries outside -short and -race), the dictionary already loaded.
func BenchmarkTrainColumnFit(b *testing.B) {
	fx := fitFixture(b)
	opt := FitOptions{Segmenter: fx.model.Segmenter()}
	b.ReportMetric(float64(len(fx.train)), "entries")
	for b.Loop() {
		if _, err := TrainColumnFit(fx.train, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColumnFitPredict is the cost of judging one entry (title,
// summary and the first 500 characters of its body).
func BenchmarkColumnFitPredict(b *testing.B) {
	fx := fitFixture(b)
	docs := make([]Document, len(fx.test))
	for i, e := range fx.test {
		docs[i] = Document{Title: e.Title, Summary: e.Summary, Body: e.Body, DocNo: e.DocNo, Column: e.Column}
	}
	rule := fx.model.Rule(DefaultColumnFitThreshold)
	i := 0
	for b.Loop() {
		rule.CheckDocument(docs[i%len(docs)])
		i++
	}
}
