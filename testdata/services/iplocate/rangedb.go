package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"time"
)

// File format (big endian): a 32-byte header
//
//	magic "RDB1" | version u16 | reserved u16 | count u32 | built unix u64 | country table offset u64 | pad
//
// then count records of 16 bytes sorted by start address,
//
//	start u32 | end u32 | country index u16 | asn u32 | flags u16
//
// then the country table: count u16, and 2-byte ISO codes.
const (
	headerSize = 32
	recordSize = 16
)

type rangeRecord struct {
	Start, End uint32
	Country    uint16
	ASN        uint32
	Flags      uint16 // 1: anonymising proxy, 2: hosting provider
}

type rangeDB struct {
	f         *os.File
	count     int
	built     time.Time
	countries []string
}

func openRangeDB(path string) (*rangeDB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var hdr [headerSize]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		f.Close()
		return nil, fmt.Errorf("header: %v", err)
	}
	if string(hdr[:4]) != "RDB1" {
		f.Close()
		return nil, errors.New("not a range database")
	}
	db := &rangeDB{f: f, count: int(binary.BigEndian.Uint32(hdr[8:])), built: time.Unix(int64(binary.BigEndian.Uint64(hdr[12:])), 0)}
	ctab := int64(binary.BigEndian.Uint64(hdr[20:]))
	r := bufio.NewReader(io.NewSectionReader(f, ctab, 1<<20))
	var n uint16
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		f.Close()
		return nil, fmt.Errorf("country table: %v", err)
	}
	code := make([]byte, 2)
	for i := 0; i < int(n); i++ {
		if _, err := io.ReadFull(r, code); err != nil {
			f.Close()
			return nil, fmt.Errorf("country table: %v", err)
		}
		db.countries = append(db.countries, string(code))
	}
	return db, nil
}

func (db *rangeDB) Close() error { return db.f.Close() }

// find returns the range that contains ip, by binary search over the records.
func (db *rangeDB) find(ip uint32) (rangeRecord, bool, error) {
	lo, hi := 0, db.count
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		var rec rangeRecord
		sr := io.NewSectionReader(db.f, headerSize+int64(mid)*recordSize, recordSize)
		if err := binary.Read(sr, binary.BigEndian, &rec); err != nil {
			return rangeRecord{}, false, err
		}
		switch {
		case ip < rec.Start:
			hi = mid
		case ip > rec.End:
			lo = mid + 1
		default:
			return rec, true, nil
		}
	}
	return rangeRecord{}, false, nil
}

func (db *rangeDB) country(i uint16) string {
	if int(i) < len(db.countries) {
		return db.countries[i]
	}
	return "ZZ"
}

var sampleCountries = []string{"US", "DE", "FR", "GB", "NL", "JP", "BR", "IN", "CN", "KR", "SE", "PL", "ES", "IT", "CA", "AU", "RU", "ZA", "MX", "SG"}

// writeSampleDB writes n random, non-overlapping ranges covering most of the
// IPv4 space in the published format.
func writeSampleDB(path string, n int) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewSource(20260601))
	step := uint32((1 << 32) / uint64(n))
	var hdr [headerSize]byte
	copy(hdr[:], "RDB1")
	binary.BigEndian.PutUint16(hdr[4:], 1)
	binary.BigEndian.PutUint32(hdr[8:], uint32(n))
	binary.BigEndian.PutUint64(hdr[12:], uint64(time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC).Unix()))
	binary.BigEndian.PutUint64(hdr[20:], uint64(headerSize+n*recordSize))
	w.Write(hdr[:])
	for i := 0; i < n; i++ {
		start := uint32(i) * step
		rec := rangeRecord{Start: start, End: start + step - 1 - uint32(rng.Intn(int(step/4))), Country: uint16(rng.Intn(len(sampleCountries))), ASN: 1000 + uint32(rng.Intn(60000))}
		if rng.Intn(50) == 0 {
			rec.Flags = 1 + uint16(rng.Intn(2))
		}
		if err := binary.Write(w, binary.BigEndian, rec); err != nil {
			return 0, err
		}
	}
	binary.Write(w, binary.BigEndian, uint16(len(sampleCountries)))
	for _, c := range sampleCountries {
		w.WriteString(c)
	}
	return n, w.Flush()
}
