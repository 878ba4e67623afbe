package repl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHistoryAppends: entries from many writers at once are all kept, each
// on its own line; multi-line statements are one entry; the file is never
// rewritten except to compact it past maxHistory, keeping the newest.
func TestHistoryAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "segql", "history")
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := OpenHistory(path) // each shell opens its own
			for i := range 200 {
				require.NoError(t, h.Append(fmt.Sprintf("age > %d and\n  city = \"w%d\"", i, w)))
			}
		}()
	}
	wg.Wait()
	entries, err := OpenHistory(path).Load()
	require.NoError(t, err)
	require.Len(t, entries, 1600)
	for _, e := range entries {
		require.Regexp(t, `^age > \d+ and city = "w\d"$`, e)
	}

	var b strings.Builder
	for i := range maxHistory + 10 {
		fmt.Fprintf(&b, "user_id = %d\n", i)
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	entries, err = OpenHistory(path).Load()
	require.NoError(t, err)
	require.Len(t, entries, maxHistory/2)
	require.Equal(t, fmt.Sprintf("user_id = %d", maxHistory+9), entries[len(entries)-1])
	again, err := OpenHistory(path).Load()
	require.NoError(t, err)
	require.Equal(t, entries, again, "the compacted file holds what Load returned")

	require.NoError(t, OpenHistory("").Append("x")) // no history: nothing written
}
