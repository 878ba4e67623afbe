package columnar

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// formatNames are the formats as people name them.
var formatNames = map[Format]string{
	FormatParquet: "Parquet", FormatIPCFile: "an Arrow IPC file (.arrow)", FormatIPCStream: "an Arrow IPC stream (.arrows)",
	FormatCSV: "CSV", FormatNDJSON: "NDJSON",
}

// sniff guesses a file's format from its first bytes: Parquet and Arrow
// files by their magic numbers, NDJSON by a leading '{', CSV by text
// without NUL bytes; FormatUnknown otherwise (or when it cannot read).
func sniff(path string) Format {
	f, err := os.Open(path)
	if err != nil {
		return FormatUnknown
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return FormatParquet
	case bytes.HasPrefix(head, []byte("ARROW1")):
		return FormatIPCFile
	case bytes.HasPrefix(head, []byte{0xff, 0xff, 0xff, 0xff}):
		return FormatIPCStream
	case len(head) == 0 || bytes.IndexByte(head, 0) >= 0:
		return FormatUnknown
	case bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n"), []byte("{")):
		return FormatNDJSON
	}
	return FormatCSV
}

// misnamed adds to a load error what the file looks like, when that is not
// the format its extension names.
func misnamed(path string, err error) error {
	ext, got := FormatOf(path), sniff(path)
	if got == FormatUnknown || got == ext {
		return err
	}
	return fmt.Errorf("%w (the file looks like %s, not %s: is its extension right?)", err, formatNames[got], formatNames[ext])
}
