package spool

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// The acknowledgements live in two files, written in turn, so that a crash
// in the middle of writing one leaves the other intact; Open takes the valid
// one with the higher generation. Writing one is a single write and an
// fsync, with no rename and no directory fsync.
//
//	[8]byte "SLACKS" + 0 + version byte 1
//	uint64  generation
//	uint64  floor: every sequence number up to it is acknowledged
//	uint32  n
//	n × (uint64 lo, uint64 hi): acknowledged ranges above floor
//	uint32  CRC-32C of everything before it
var (
	ackNames = [2]string{"acks-0", "acks-1"}
	ackMagic = [8]byte{'S', 'L', 'A', 'C', 'K', 'S', 0, 1}
)

const ackFixedSize = 8 + 8 + 8 + 4 + 4

type ackFile struct {
	files [2]File
	gen   uint64 // generation of the newest valid file
	buf   []byte
}

// openAckFiles opens both slots, creating them if needed, and returns the
// newest valid acknowledgement set. lost reports that slots existed but none
// was valid.
func openAckFiles(fsys FS, dir string) (af *ackFile, acks ackSet, lost bool, err error) {
	af = &ackFile{}
	found := false
	for i, name := range ackNames {
		f, err := fsys.OpenFile(dir, name, os.O_RDWR|os.O_CREATE)
		if err != nil {
			af.close()
			return nil, ackSet{}, false, fmt.Errorf("%w: open %s: %w", ErrIO, name, err)
		}
		af.files[i] = f
		gen, set, ok, nonEmpty, err := readAckFile(f)
		if err != nil {
			af.close()
			return nil, ackSet{}, false, fmt.Errorf("%w: read %s: %w", ErrIO, name, err)
		}
		if nonEmpty && !ok {
			lost = true
		}
		if ok && (!found || gen > af.gen) {
			af.gen, acks, found = gen, set, true
		}
	}
	return af, acks, lost && !found, nil
}

func readAckFile(f File) (gen uint64, acks ackSet, ok, nonEmpty bool, err error) {
	st, err := f.Stat()
	if err != nil {
		return 0, ackSet{}, false, false, err
	}
	size := st.Size()
	if size == 0 {
		return 0, ackSet{}, false, false, nil
	}
	if size < ackFixedSize || size > ackFixedSize+16*(1<<28) {
		return 0, ackSet{}, false, true, nil
	}
	b := make([]byte, size)
	if _, err := f.ReadAt(b, 0); err != nil && err != io.EOF {
		return 0, ackSet{}, false, true, err
	}
	if [8]byte(b[:8]) != ackMagic {
		if [7]byte(b[:7]) == [7]byte(ackMagic[:7]) {
			return 0, ackSet{}, false, true, fmt.Errorf("%w: acknowledgement file version %d", ErrFormat, b[7])
		}
		return 0, ackSet{}, false, true, nil
	}
	n := uint64(binary.LittleEndian.Uint32(b[24:]))
	end := ackFixedSize - 4 + 16*n
	if uint64(len(b)) < end+4 {
		return 0, ackSet{}, false, true, nil
	}
	if binary.LittleEndian.Uint32(b[end:]) != crc32.Checksum(b[:end], castagnoli) {
		return 0, ackSet{}, false, true, nil
	}
	gen = binary.LittleEndian.Uint64(b[8:])
	acks.floor = binary.LittleEndian.Uint64(b[16:])
	prev := acks.floor + 1
	for i := uint64(0); i < n; i++ {
		off := 28 + 16*i
		r := seqRange{binary.LittleEndian.Uint64(b[off:]), binary.LittleEndian.Uint64(b[off+8:])}
		if r.lo <= prev || r.hi < r.lo {
			return 0, ackSet{}, false, true, nil // well formed but not ours
		}
		acks.ranges = append(acks.ranges, r)
		prev = r.hi + 1
	}
	return gen, acks, true, true, nil
}

// write stores acks in the older slot and, when sync is set, fsyncs it. On
// failure the other slot still holds the previous generation.
func (af *ackFile) write(acks ackSet, sync bool) error {
	gen := af.gen + 1
	b := append(af.buf[:0], ackMagic[:]...)
	b = binary.LittleEndian.AppendUint64(b, gen)
	b = binary.LittleEndian.AppendUint64(b, acks.floor)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(acks.ranges)))
	for _, r := range acks.ranges {
		b = binary.LittleEndian.AppendUint64(b, r.lo)
		b = binary.LittleEndian.AppendUint64(b, r.hi)
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	af.buf = b
	f := af.files[gen%2]
	if _, err := f.WriteAt(b, 0); err != nil {
		return fmt.Errorf("%w: write %s: %w", ErrIO, ackNames[gen%2], err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("%w: fsync %s: %w", ErrIO, ackNames[gen%2], err)
		}
	}
	af.gen = gen
	return nil
}

func (af *ackFile) close() error {
	var first error
	for i, f := range af.files {
		if f != nil {
			if err := f.Close(); err != nil && first == nil {
				first = err
			}
			af.files[i] = nil
		}
	}
	return first
}
