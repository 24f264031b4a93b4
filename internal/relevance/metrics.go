package relevance

import "math"

// NDCG is nDCG@k with binary gains: the hits' relevance in rank order
// against an ideal list of min(k, relevant) relevant hits.
func NDCG(rel []bool, relevant, k int) float64 {
	ideal := 0.0
	for i := 0; i < min(k, relevant); i++ {
		ideal += 1 / math.Log2(float64(i+2))
	}
	if ideal == 0 {
		return 0
	}
	dcg := 0.0
	for i := 0; i < min(k, len(rel)); i++ {
		if rel[i] {
			dcg += 1 / math.Log2(float64(i+2))
		}
	}
	return dcg / ideal
}
