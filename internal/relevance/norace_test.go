//go:build !race

package relevance

const raceDetector = false
