package chaostest

import (
	"bytes"
	"context"
	"encoding/json"
)

// RunUnderShort lets this package's tests run their fake-system experiments
// under -short (see skipUnderShort). The subprocess that checks the skip
// itself leaves it alone.
func RunUnderShort() { skipUnderShort = false }

// UseSlotDir puts the experiment slots' lock files in dir.
func UseSlotDir(dir string) { slotDir = func() string { return dir } }

// TryTakeSlot tries once to take one of n experiment slots in dir: release
// gives it back; ok is false when every slot is taken.
func TryTakeSlot(dir string, n int) (release func(), ok bool, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l, err := takeSlot(ctx, dir, n)
	if err != nil {
		if ctx.Err() != nil && l != nil {
			return nil, false, nil
		}
		return nil, false, err
	}
	return l.release, true, nil
}

// SlotDir is the directory of the experiment slots' lock files.
func SlotDir() string { return slotDir() }

// UnreachedJournal is the journal of unreachedRecord, as written to a file.
func UnreachedJournal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(unreachedRecord().journal())
	return buf.Bytes(), err
}
