package indexer

// CountQuery counts a search for the popular list, under the asking
// client's address, that was answered in front of the index (the
// portal's page cache) rather than by Search, which counts the ones it
// answers itself.
func (ix *Index) CountQuery(q, client string) {
	if ix == nil || ix.popular == nil {
		return
	}
	ix.popular.recordFrom(q, client)
}
