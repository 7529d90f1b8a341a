package spool

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// On-disk format, version 1. All integers are little-endian.
//
// Segment file "<first seq, 20 decimal digits>.seg":
//
//	header  [8]byte "SLSPOOL" + version byte 1
//	        uint64  first sequence number (the same as in the name)
//	records, back to back
//
// Record:
//
//	0  [4]byte magic 0xF3 'S' 'R' 0x01
//	4  uint32  CRC-32C (Castagnoli) of bytes 8 .. 28+length
//	8  uint32  payload length
//	12 uint64  sequence number
//	20 int64   append time, Unix nanoseconds
//	28 payload
//
// The magic lets recovery find the next record after a corrupt one; the CRC
// covers the length, so a flipped length is detected, not followed.
const (
	segHeaderSize = 16
	recHeaderSize = 28

	// maxFormatRecord bounds a payload's length as recovery reads it,
	// whatever the options: no valid record is longer.
	maxFormatRecord = 1 << 30

	segSuffix = ".seg"
)

var (
	segMagic = [8]byte{'S', 'L', 'S', 'P', 'O', 'O', 'L', 1}
	recMagic = [4]byte{0xF3, 'S', 'R', 0x01}

	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// recHeader is a decoded record header.
type recHeader struct {
	length uint32
	seq    uint64
	nanos  int64
}

// appendRecord appends the encoded record to dst.
func appendRecord(dst []byte, seq uint64, nanos int64, payload []byte) []byte {
	start := len(dst)
	dst = append(dst, recMagic[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, 0) // CRC, below
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.LittleEndian.AppendUint64(dst, seq)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(nanos))
	dst = append(dst, payload...)
	crc := crc32.Checksum(dst[start+8:], castagnoli)
	binary.LittleEndian.PutUint32(dst[start+4:], crc)
	return dst
}

// parseHeader decodes the header at b[0:recHeaderSize] if its magic is
// right. It does not check the CRC, which needs the payload.
func parseHeader(b []byte) (recHeader, bool) {
	if len(b) < recHeaderSize || [4]byte(b[0:4]) != recMagic {
		return recHeader{}, false
	}
	return recHeader{
		length: binary.LittleEndian.Uint32(b[8:]),
		seq:    binary.LittleEndian.Uint64(b[12:]),
		nanos:  int64(binary.LittleEndian.Uint64(b[20:])),
	}, true
}

// checkCRC reports whether rec (header and payload) carries a valid CRC.
func checkCRC(rec []byte) bool {
	return binary.LittleEndian.Uint32(rec[4:]) == crc32.Checksum(rec[8:], castagnoli)
}

func segHeader(first uint64) []byte {
	b := make([]byte, 0, segHeaderSize)
	b = append(b, segMagic[:]...)
	return binary.LittleEndian.AppendUint64(b, first)
}

// checkSegHeader reports whether b starts with a valid segment header for
// first. A header of another version is an error; a garbled one is not (the
// records after it are still scanned).
func checkSegHeader(b []byte, first uint64) (ok bool, err error) {
	if len(b) < segHeaderSize {
		return false, nil
	}
	if [7]byte(b[0:7]) == [7]byte(segMagic[0:7]) && b[7] != segMagic[7] {
		return false, fmt.Errorf("%w: segment version %d (this spool writes %d)", ErrFormat, b[7], segMagic[7])
	}
	return [8]byte(b[0:8]) == segMagic && binary.LittleEndian.Uint64(b[8:]) == first, nil
}

func segName(first uint64) string { return fmt.Sprintf("%020d%s", first, segSuffix) }

// parseSegName returns the first sequence number a segment file's name
// carries.
func parseSegName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segSuffix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil && n > 0
}
