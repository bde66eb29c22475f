package chaostest

// RunUnderShort lets this package's tests run their fake-system experiments
// under -short (see skipUnderShort). The subprocess that checks the skip
// itself leaves it alone.
func RunUnderShort() { skipUnderShort = false }
